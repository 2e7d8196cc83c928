"""Deterministic corpus of Kubernetes blog posts for the flagref benchmarks.

The posts imitate the author's own (see ``docs/posts``): Jekyll front matter
with a ``kubernetes > ...`` title, loose prose that names flags inline, lists
written straight after a paragraph line, and fenced shell transcripts holding
Pod manifests (often cut with ``--TRUNCATED--``), ``kubectl get -o wide``
tables, ``etcdctl`` calls and ``ps`` lines. Each post is about 5 KB and ends
with the author's ``--end-of-post---`` line.

Every post is drawn from its own random generator seeded with ``(seed,
index)``, so ``generate(100, ...)`` writes the same first hundred posts as
``generate(1000, ...)``.

Usage::

    python benchmarks/corpus.py N OUT_DIR [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BASE_DATE = dt.date(2019, 10, 24)
PKI = "/etc/kubernetes/pki"

# --- flags, as kubeadm writes them ({ip} and {node} are filled per post) -----

#: Flags kubeadm sets by default, per control-plane component.
DEFAULT_FLAGS: dict[str, list[str]] = {
    "etcd": [
        "--advertise-client-urls=https://{ip}:2379",
        f"--cert-file={PKI}/etcd/server.crt",
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--initial-advertise-peer-urls=https://{ip}:2380",
        "--initial-cluster={node}=https://{ip}:2380",
        f"--key-file={PKI}/etcd/server.key",
        "--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379",
        "--listen-metrics-urls=http://127.0.0.1:2381",
        "--listen-peer-urls=https://{ip}:2380",
        "--name={node}",
        f"--peer-cert-file={PKI}/etcd/peer.crt",
        "--peer-client-cert-auth=true",
        f"--peer-key-file={PKI}/etcd/peer.key",
        f"--peer-trusted-ca-file={PKI}/etcd/ca.crt",
        "--snapshot-count=10000",
        f"--trusted-ca-file={PKI}/etcd/ca.crt",
    ],
    "kube-apiserver": [
        "--advertise-address={ip}",
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        f"--client-ca-file={PKI}/ca.crt",
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        f"--etcd-cafile={PKI}/etcd/ca.crt",
        f"--etcd-certfile={PKI}/apiserver-etcd-client.crt",
        f"--etcd-keyfile={PKI}/apiserver-etcd-client.key",
        "--etcd-servers=https://127.0.0.1:2379",
        "--insecure-port=0",
        f"--kubelet-client-certificate={PKI}/apiserver-kubelet-client.crt",
        f"--kubelet-client-key={PKI}/apiserver-kubelet-client.key",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        f"--proxy-client-cert-file={PKI}/front-proxy-client.crt",
        f"--proxy-client-key-file={PKI}/front-proxy-client.key",
        "--requestheader-allowed-names=front-proxy-client",
        f"--requestheader-client-ca-file={PKI}/front-proxy-ca.crt",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        "--secure-port=6443",
        f"--service-account-key-file={PKI}/sa.pub",
        "--service-cluster-ip-range=10.96.0.0/12",
        f"--tls-cert-file={PKI}/apiserver.crt",
        f"--tls-private-key-file={PKI}/apiserver.key",
    ],
    "kube-controller-manager": [
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        f"--client-ca-file={PKI}/ca.crt",
        "--cluster-cidr=10.244.0.0/16",
        f"--cluster-signing-cert-file={PKI}/ca.crt",
        f"--cluster-signing-key-file={PKI}/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--node-cidr-mask-size=24",
        f"--requestheader-client-ca-file={PKI}/front-proxy-ca.crt",
        f"--root-ca-file={PKI}/ca.crt",
        f"--service-account-private-key-file={PKI}/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--use-service-account-credentials=true",
    ],
    "kube-scheduler": [
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
    ],
    "kubelet": [
        "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
        "--kubeconfig=/etc/kubernetes/kubelet.conf",
        "--config=/var/lib/kubelet/config.yaml",
        "--cgroup-driver=systemd",
        "--network-plugin=cni",
        "--pod-infra-container-image=k8s.gcr.io/pause:3.1",
    ],
}

#: Further real flags an operator adds by hand, per component.
EXTRA_FLAGS: dict[str, list[str]] = {
    "etcd": [
        "--auto-compaction-mode=periodic",
        "--auto-compaction-retention=8",
        "--election-timeout=1000",
        "--enable-v2=false",
        "--experimental-initial-corrupt-check=true",
        "--grpc-keepalive-interval=2h0m0s",
        "--grpc-keepalive-min-time=5s",
        "--grpc-keepalive-timeout=20s",
        "--heartbeat-interval=100",
        "--initial-cluster-state=new",
        "--initial-cluster-token=etcd-cluster-1",
        "--log-level=info",
        "--logger=zap",
        "--max-request-bytes=1572864",
        "--max-snapshots=5",
        "--max-wals=5",
        "--metrics=basic",
        "--quota-backend-bytes=8589934592",
        "--strict-reconfig-check=true",
        "--wal-dir=/var/lib/etcd/wal",
        ("--cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        "--peer-cert-allowed-cn=etcd",
        "--enable-pprof=false",
        "--proxy=off",
    ],
    "kube-apiserver": [
        "--anonymous-auth=false",
        "--apiserver-count=3",
        "--audit-log-maxage=30",
        "--audit-log-maxbackup=10",
        "--audit-log-maxsize=100",
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
        "--default-not-ready-toleration-seconds=300",
        "--default-unreachable-toleration-seconds=300",
        "--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml",
        "--endpoint-reconciler-type=lease",
        "--event-ttl=1h0m0s",
        "--feature-gates=RotateKubeletServerCertificate=true",
        f"--kubelet-certificate-authority={PKI}/ca.crt",
        "--max-mutating-requests-inflight=200",
        "--max-requests-inflight=400",
        "--profiling=false",
        "--request-timeout=1m0s",
        "--runtime-config=api/all=true",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-account-signing-key-file={PKI}/sa.key",
        "--service-node-port-range=30000-32767",
        "--storage-backend=etcd3",
        "--tls-min-version=VersionTLS12",
        "--v=2",
    ],
    "kube-controller-manager": [
        "--cluster-name=kubernetes",
        "--cluster-signing-duration=8760h0m0s",
        "--concurrent-deployment-syncs=5",
        "--concurrent-replicaset-syncs=5",
        "--concurrent-service-syncs=1",
        "--feature-gates=RotateKubeletServerCertificate=true",
        "--horizontal-pod-autoscaler-sync-period=15s",
        "--kube-api-burst=30",
        "--kube-api-qps=20",
        "--large-cluster-size-threshold=50",
        "--leader-elect-lease-duration=15s",
        "--leader-elect-renew-deadline=10s",
        "--leader-elect-retry-period=2s",
        "--node-eviction-rate=0.1",
        "--node-monitor-grace-period=40s",
        "--node-monitor-period=5s",
        "--pod-eviction-timeout=5m0s",
        "--port=0",
        "--profiling=false",
        "--secure-port=10257",
        "--terminated-pod-gc-threshold=12500",
        "--unhealthy-zone-threshold=0.55",
        "--v=2",
    ],
    "kube-scheduler": [
        "--authentication-tolerate-lookup-failure=false",
        f"--client-ca-file={PKI}/ca.crt",
        "--config=/etc/kubernetes/scheduler-config.yaml",
        "--feature-gates=RotateKubeletServerCertificate=true",
        "--kube-api-burst=100",
        "--kube-api-qps=50",
        "--leader-elect-lease-duration=15s",
        "--leader-elect-renew-deadline=10s",
        "--leader-elect-resource-lock=leases",
        "--leader-elect-resource-name=kube-scheduler",
        "--leader-elect-resource-namespace=kube-system",
        "--leader-elect-retry-period=2s",
        "--log-flush-frequency=5s",
        "--logging-format=text",
        "--permit-port-sharing=false",
        "--port=0",
        "--profiling=false",
        "--requestheader-allowed-names=front-proxy-client",
        f"--requestheader-client-ca-file={PKI}/front-proxy-ca.crt",
        "--secure-port=10259",
        "--tls-min-version=VersionTLS12",
        "--v=2",
    ],
    "kubelet": [
        "--anonymous-auth=false",
        "--authentication-token-webhook=true",
        "--authorization-mode=Webhook",
        f"--client-ca-file={PKI}/ca.crt",
        "--cluster-dns=10.96.0.10",
        "--cluster-domain=cluster.local",
        "--container-runtime=remote",
        "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
        "--eviction-hard=memory.available<100Mi,nodefs.available<10%",
        "--fail-swap-on=false",
        "--hostname-override={node}",
        "--image-gc-high-threshold=85",
        "--image-gc-low-threshold=80",
        "--max-pods=110",
        "--node-ip={ip}",
        "--read-only-port=0",
        "--resolv-conf=/run/systemd/resolve/resolv.conf",
        "--rotate-certificates=true",
        "--v=2",
    ],
}

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")

IMAGES = {
    "etcd": "k8s.gcr.io/etcd:3.3.15-0",
    "kube-apiserver": "k8s.gcr.io/kube-apiserver:v1.16.2",
    "kube-controller-manager": "k8s.gcr.io/kube-controller-manager:v1.16.2",
    "kube-scheduler": "k8s.gcr.io/kube-scheduler:v1.16.2",
}

PROBES = {
    "etcd": ("127.0.0.1", "2381", "/health", "HTTP"),
    "kube-apiserver": ("{ip}", "6443", "/healthz", "HTTPS"),
    "kube-controller-manager": ("127.0.0.1", "10257", "/healthz", "HTTPS"),
    "kube-scheduler": ("127.0.0.1", "10259", "/healthz", "HTTPS"),
}

MOUNTS = {
    "etcd": [("etcd-data", "/var/lib/etcd"), ("etcd-certs", f"{PKI}/etcd")],
    "kube-apiserver": [
        ("ca-certs", "/etc/ssl/certs"),
        ("etc-ca-certificates", "/etc/ca-certificates"),
        ("k8s-certs", PKI),
        ("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
    ],
    "kube-controller-manager": [
        ("ca-certs", "/etc/ssl/certs"),
        ("flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec"),
        ("k8s-certs", PKI),
        ("kubeconfig", "/etc/kubernetes/controller-manager.conf"),
    ],
    "kube-scheduler": [("kubeconfig", "/etc/kubernetes/scheduler.conf")],
}

# --- words -----------------------------------------------------------------

TITLES: dict[str, list[str]] = {
    "etcd": [
        "etcd as a component in the cluster",
        "etcd backup and restore with etcdctl",
        "etcd client and peer certificates",
        "etcd in high availability mode",
        "checking etcd health",
        "etcd metrics endpoint",
    ],
    "kube-apiserver": [
        "kube-apiserver and its flags",
        "kube-apiserver talking to etcd",
        "kube-apiserver audit logging",
        "kube-apiserver admission plugins",
        "kube-apiserver authorization modes",
        "kube-apiserver service account keys",
    ],
    "kube-controller-manager": [
        "kube-controller-manager and node cidrs",
        "kube-controller-manager leader election",
        "kube-controller-manager signing certificates",
        "kube-controller-manager pod eviction",
    ],
    "kube-scheduler": [
        "kube-scheduler as a static pod",
        "kube-scheduler leader election",
        "kube-scheduler configuration file",
    ],
    "kubelet": [
        "kubelet flags and the config file",
        "kubelet and the container runtime",
        "kubelet certificate rotation",
        "kubelet cgroup driver",
    ],
}

CATEGORY_DIRS = [
    ("kubernetes", ""),
    ("kubernetes", "components"),
    ("kubernetes", "components"),
    ("kubernetes", "security"),
    ("kubernetes", "security/tls"),
    ("kubernetes", "troubleshooting"),
    ("kubernetes", "networking/control-plane"),
    ("etcd", ""),
    ("security", "tls"),
]

TAG_POOL = [
    "etcd",
    "kubeadm",
    "tls",
    "control-plane",
    "static-pods",
    "rbac",
    "cka",
    "pki",
]

NODES = ["master", "master", "master-1", "kmaster", "k8s-master", "controlplane"]
WORKERS = ["node1", "node2", "node3", "worker-1", "worker-2"]
USERS = ["networkandcode", "networkandcode", "networkandcode", "ubuntu", "root"]

PREREQUISITES = [
    "Should have some understanding of Pod manifests",
    "Some familiarity with the kube-system namespace",
    "Basic knowledge of TLS certificates",
    "Should know how to use kubectl",
    "Some idea of static Pods and the kubelet",
    "Access to the master node over ssh",
]

ENVIRONMENT = [
    "Kubernetes cluster launched using kubeadm",
    ("We are doing this exercise on a cluster with single control plane (1 master) and 3 nodes"),
    "Kubernetes version v1.16.2",
    "Instances are Ubuntu 18.04 VMs on GCP",
    "Container runtime is docker 18.09",
    "Pod network add-on is weave net",
]

INTROS = [
    (
        "{comp} is one of the control plane components of Kubernetes and it runs as a "
        "static Pod on the master when the cluster is launched using kubeadm. Its "
        "behaviour is decided almost entirely by the flags given to the {comp} command, "
        "so knowing where those flags are and what they mean helps a lot while "
        "troubleshooting"
    ),
    (
        "In this post we shall look at the {comp} a bit closer. The {comp} reads its "
        "settings from command line flags, and kubeadm writes a sensible set of them "
        "for us in the Pod manifest. We would check a few of those flags and see how "
        "they relate to the other components such as etcd and the kubelet"
    ),
    (
        "The {comp} is started with a long list of flags. Some of them point to "
        "certificates and keys, some of them to kubeconfig files and some to the "
        "addresses it listens on. Let's go through them on a cluster that was set up "
        "with kubeadm, it's a good way to understand the control plane"
    ),
]

SENTENCES = [
    "The flag {f} tells the {comp} where to look for this",
    "Note that {f} may or may not be set by kubeadm, depending on the version",
    "If {f} is missing, the {comp} falls back to its built-in default",
    "The section {fv} says the value is set explicitly in the manifest",
    (
        "We could change {f} by editing the saved manifest in "
        "`/etc/kubernetes/manifests/`, the kubelet would then recreate the Pod"
    ),
    ("The value of {fv} should match what the other side expects, else the connection fails with a certificate error"),
    (
        "Here {fv} is the value as kubeadm wrote it, any file it names must be "
        "mounted in to the container using a hostPath volume"
    ),
    "Flags such as {f} and {g} always go together",
    "It's a good practice to keep {f} the same on every master in `/etc/kubernetes/manifests`",
    "The IP ```{ip}``` refers to the local IP address of the master instance",
    "So the {comp} and etcd form an HTTPS client-server combination",
    ("ectd could be installed on separate dedicated instances or on the master instances themselves"),
    (
        "The default port on which the etcd server is functioning is TCP 2379, and "
        "2380 is used for the peer communication"
    ),
    (
        "We could also edit the live configuration using ```kubectl edit po "
        "{pod}-{node} -n kube-system```, however the saved manifest wins when the "
        "kubelet restarts"
    ),
    ("In production, these components are installed in HA mode, i.e. on more than one instance"),
    "The {comp} logs would show the value it picked up for {f} at startup",
]

LEADS = [
    "Let's check the running {comp} Pod's manifest in yaml",
    "Let's check the details about the {comp} pod running on the master",
    "Now let's see the saved manifest of the {comp}",
    "We can verify this from the master",
    "Let's check it out",
    "Here is how it looks on our cluster",
]


# --- building blocks ---------------------------------------------------------


@dataclass
class Ctx:
    """Per-post choices shared by every block of the post."""

    rng: random.Random
    comp: str
    node: str
    ip: str
    user: str

    @property
    def pod(self) -> str:
        """The component the post's static Pods are about (the kubelet has none)."""
        return self.comp if self.comp in CONTROL_PLANE else "kube-apiserver"

    def fill(self, text: str) -> str:
        return text.replace("{ip}", self.ip).replace("{node}", self.node)

    def prompt(self, host: str | None = None, cwd: str = "~") -> str:
        host = host or self.node
        if self.user == "root":
            return f"root@{host}:{cwd}# "
        return f"{self.user}@{host}:{cwd}$ "


def pick_flags(ctx: Ctx, comp: str, count: int) -> list[str]:
    """Return ``count`` flags (kubeadm defaults first), sorted as kubeadm does."""
    defaults = DEFAULT_FLAGS[comp]
    extras = EXTRA_FLAGS[comp]
    count = max(1, min(count, len(defaults) + len(extras)))
    chosen = list(defaults[:count])
    if count > len(defaults):
        chosen += ctx.rng.sample(extras, count - len(defaults))
    elif count < len(defaults):
        chosen = ctx.rng.sample(defaults, count)
    return sorted(ctx.fill(f) for f in chosen)


def flag_mentions(ctx: Ctx) -> tuple[str, str, str]:
    """Return a flag named three ways: bare, in backticks, and ```--f=v```."""
    flags = [ctx.fill(f) for f in DEFAULT_FLAGS[ctx.comp] + EXTRA_FLAGS[ctx.comp]]
    full = ctx.rng.choice(flags)
    name = full.split("=", 1)[0]
    other = ctx.rng.choice(flags).split("=", 1)[0]
    style = ctx.rng.random()
    if style < 0.4:
        f = name
    elif style < 0.7:
        f = f"`{name}`"
    else:
        f = f"```{name}```"
    g = f"```{other}```" if ctx.rng.random() < 0.5 else other
    return f, g, f"```{full}```"


def paragraph(ctx: Ctx, sentences: int | None = None) -> str:
    """A paragraph of two to four sentences with inline flag mentions."""
    count = sentences or ctx.rng.randint(2, 4)
    parts = []
    for template in ctx.rng.sample(SENTENCES, count):
        f, g, fv = flag_mentions(ctx)
        parts.append(template.format(f=f, g=g, fv=fv, comp=ctx.comp, pod=ctx.pod, ip=ctx.ip, node=ctx.node))
    return ". ".join(parts)


def truncated(ctx: Ctx) -> str:
    """A ``--TRUNCATED--`` marker at one of the indentations the author uses."""
    return " " * ctx.rng.choice([0, 0, 2, 4, 4, 6]) + "--TRUNCATED--"


def pod_manifest(ctx: Ctx, comp: str, count: int) -> list[str]:
    """A kubeadm static Pod as ``kubectl get -o yaml`` prints it, maybe cut."""
    rng = ctx.rng
    pod = f"{comp}-{ctx.node}"
    lines = ["apiVersion: v1", "kind: Pod"]
    if rng.random() < 0.45:
        lines.append("--TRUNCATED--")
    else:
        lines += [
            "metadata:",
            "  annotations:",
            f"    kubernetes.io/config.hash: {rng.getrandbits(128):032x}",
            "    kubernetes.io/config.source: file",
            f'  creationTimestamp: "{BASE_DATE.isoformat()}T03:13:45Z"',
            "  labels:",
            f"    component: {comp}",
            "    tier: control-plane",
            f"  name: {pod}",
            "  namespace: kube-system",
        ]
    lines += ["spec:", "  containers:", "  - command:", f"    - {comp}"]
    flags = [f"    - {f}" for f in pick_flags(ctx, comp, count)]
    if rng.random() < 0.3 and len(flags) > 6:
        cut = rng.randint(2, len(flags) - 3)
        del flags[cut : cut + rng.randint(1, 3)]
        flags.insert(cut, truncated(ctx))
    lines += flags
    if rng.random() < 0.55:
        lines.append(truncated(ctx))
        return lines
    host, port, path, scheme = PROBES[comp]
    lines += [
        f"    image: {IMAGES[comp]}",
        "    imagePullPolicy: IfNotPresent",
        "    livenessProbe:",
        "      failureThreshold: 8",
        "      httpGet:",
        f"        host: {ctx.fill(host)}",
        f"        path: {path}",
        f"        port: {port}",
        f"        scheme: {scheme}",
        "      initialDelaySeconds: 15",
        "      timeoutSeconds: 15",
        f"    name: {comp}",
        "    resources:",
        "      requests:",
        "        cpu: 250m",
        "    volumeMounts:",
    ]
    for name, mount in MOUNTS[comp]:
        lines += [f"    - mountPath: {mount}", f"      name: {name}"]
    lines += ["  hostNetwork: true", f"  nodeName: {ctx.node}"]
    if rng.random() < 0.5:
        lines.append(truncated(ctx))
        return lines
    lines += ["  priorityClassName: system-cluster-critical", "  volumes:"]
    for name, mount in MOUNTS[comp]:
        lines += [
            "  - hostPath:",
            f"      path: {mount}",
            "      type: DirectoryOrCreate",
            f"    name: {name}",
        ]
    lines += ["status:", "  phase: Running"]
    return lines


def block_pod_yaml(ctx: Ctx) -> tuple[str, list[str]]:
    comp = ctx.pod if ctx.rng.random() < 0.8 else ctx.rng.choice(CONTROL_PLANE)
    count = ctx.rng.randint(10, 40)
    if ctx.rng.random() < 0.7:
        cmd = f"kubectl get po {comp}-{ctx.node} -n kube-system -o yaml"
    else:
        cmd = f"sudo cat /etc/kubernetes/manifests/{comp}.yaml"
    lead = ctx.rng.choice(LEADS).format(comp=comp)
    return lead, [ctx.prompt() + cmd, *pod_manifest(ctx, comp, count)]


def block_bare_manifest(ctx: Ctx) -> tuple[str, list[str]]:
    comp = ctx.pod
    lead = f"The saved manifest `/etc/kubernetes/manifests/{comp}.yaml` looks like"
    return lead, pod_manifest(ctx, comp, ctx.rng.randint(10, 25))


def block_get_wide(ctx: Ctx) -> tuple[str, list[str]]:
    rng = ctx.rng
    age = f"{rng.randint(2, 60)}h"
    pods = [f"{c}-{ctx.node}" for c in CONTROL_PLANE]
    pods += [f"coredns-5644d7b6d9-{rng.getrandbits(20):05x}" for _ in range(2)]
    pods += [f"kube-proxy-{rng.getrandbits(20):05x}" for _ in range(2)]
    grep = rng.choice(CONTROL_PLANE + ("",)) if rng.random() < 0.6 else ""
    cmd = "kubectl get po -n kube-system -o wide"
    if grep:
        cmd += f" | grep {grep.replace('kube-', '')}"
        pods = [p for p in pods if grep.replace("kube-", "") in p]
    rows = []
    if not grep:
        rows.append(
            f"{'NAME':<42}{'READY':<8}{'STATUS':<10}{'RESTARTS':<11}{'AGE':<6}"
            f"{'IP':<17}{'NODE':<9}{'NOMINATED NODE':<17}READINESS GATES"
        )
    for pod in pods:
        ip = f"10.32.0.{rng.randint(2, 250)}" if "coredns" in pod else ctx.ip
        rows.append(
            f"{pod:<42}{'1/1':<8}{'Running':<10}{rng.randint(0, 4):<11}{age:<6}"
            f"{ip:<17}{ctx.node:<9}{'<none>':<17}<none>"
        )
    lead = ctx.rng.choice(LEADS).format(comp=ctx.pod)
    return lead, [ctx.prompt() + cmd, *rows]


def block_etcdctl(ctx: Ctx) -> tuple[str, list[str]]:
    rng = ctx.rng
    sub, out = rng.choice(
        [
            (
                "member list",
                [(f"{rng.getrandbits(64):x}, started, {ctx.node}, https://{ctx.ip}:2380, https://{ctx.ip}:2379")],
            ),
            (
                "endpoint health",
                ["https://127.0.0.1:2379 is healthy: successfully committed proposal"],
            ),
            (
                "snapshot save /tmp/etcd-backup.db",
                ["Snapshot saved at /tmp/etcd-backup.db"],
            ),
            (
                "get / --prefix --keys-only --limit=3",
                [
                    "/registry/apiregistration.k8s.io/apiservices/v1.",
                    "",
                    "/registry/clusterrolebindings/cluster-admin",
                ],
            ),
        ]
    )
    auth = [
        "--endpoints=https://127.0.0.1:2379",
        f"--cacert={PKI}/etcd/ca.crt",
        f"--cert={PKI}/etcd/server.crt",
        f"--key={PKI}/etcd/server.key",
    ]
    del auth[rng.randint(2, 4) :]
    if rng.random() < 0.25:
        cmd = [ctx.prompt() + "sudo ETCDCTL_API=3 etcdctl \\"]
        cmd += [f"  {a} \\" for a in auth] + [f"  {sub}"]
    else:
        cmd = [ctx.prompt() + "sudo ETCDCTL_API=3 etcdctl " + " ".join(auth) + " " + sub]
    lead = "We can talk to the etcd server directly using etcdctl"
    return lead, cmd + out


def block_ps(ctx: Ctx) -> tuple[str, list[str]]:
    rng = ctx.rng
    comp = rng.choice(("kubelet", "kubelet", "kube-apiserver"))
    count = rng.randint(6, 14) if comp == "kubelet" else rng.randint(10, 22)
    flags = pick_flags(ctx, comp, count)
    binary = "/usr/bin/kubelet" if comp == "kubelet" else comp
    pid = rng.randint(700, 30000)
    line = (
        f"root      {pid:>5}     1  2 Oct{rng.randint(10, 28)} ?"
        f"        {rng.randint(0, 9):02d}:{rng.randint(0, 59):02d}:11 "
        f"{binary} " + " ".join(flags)
    )
    grep = f"{ctx.user}  {pid + 17:>5}  2101  0 10:{rng.randint(10, 59)} pts/0    "
    grep += f"00:00:00 grep --color=auto {comp}"
    lead = f"The {comp} flags can also be seen from the running process"
    return lead, [ctx.prompt() + f"ps -ef | grep {comp}", line, grep]


def block_kubelet_env(ctx: Ctx) -> tuple[str, list[str]]:
    flags = " ".join(pick_flags(ctx, "kubelet", ctx.rng.randint(3, 6)))
    lead = "kubeadm keeps the kubelet flags it generated in an env file"
    cmd = ctx.prompt() + "cat /var/lib/kubelet/kubeadm-flags.env"
    return lead, [cmd, f'KUBELET_KUBEADM_ARGS="{flags}"']


def block_ls(ctx: Ctx) -> tuple[str, list[str]]:
    lead = "The static Pod manifests are saved in the default path"
    return lead, [
        ctx.prompt() + "ls /etc/kubernetes/manifests",
        ("etcd.yaml  kube-apiserver.yaml  kube-controller-manager.yaml  kube-scheduler.yaml"),
    ]


def block_kubeadm_config(ctx: Ctx) -> tuple[str, list[str]]:
    lead = "The same flags could be given to kubeadm with extraArgs"
    return lead, [
        ctx.prompt() + "cat kubeadm-config.yaml",
        "apiVersion: kubeadm.k8s.io/v1beta2",
        "kind: ClusterConfiguration",
        "kubernetesVersion: v1.16.2",
        "apiServer:",
        "  extraArgs:",
        "    audit-log-path: /var/log/kubernetes/audit/audit.log",
        "    authorization-mode: Node,RBAC",
        "controllerManager:",
        "  extraArgs:",
        '    node-cidr-mask-size: "24"',
        "etcd:",
        "  local:",
        "    extraArgs:",
        "      listen-metrics-urls: http://0.0.0.0:2381",
        "networking:",
        "  podSubnet: 10.244.0.0/16",
    ]


BLOCKS: list[tuple[float, Callable[[Ctx], tuple[str, list[str]]]]] = [
    (0.40, block_pod_yaml),
    (0.06, block_bare_manifest),
    (0.16, block_get_wide),
    (0.14, block_etcdctl),
    (0.10, block_ps),
    (0.05, block_kubelet_env),
    (0.05, block_ls),
    (0.04, block_kubeadm_config),
]


# --- posts -----------------------------------------------------------------


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def front_matter(ctx: Ctx, title: str, category: str) -> list[str]:
    rng = ctx.rng
    lines = ["---", f"title: kubernetes > {title}"]
    style = rng.random()
    second = rng.choice(["etcd", "security", "networking", "troubleshooting"])
    if style < 0.55:
        lines.append(f"categories: {category}")
    elif style < 0.8:
        lines.append(f"categories: [{category}, {second}]")
    else:
        lines += ["categories:", f"  - {category}", f"  - {second}"]
    if rng.random() < 0.35:
        tags = rng.sample(TAG_POOL, rng.randint(1, 3))
        if rng.random() < 0.5:
            lines.append(f"tags: [{', '.join(tags)}]")
        else:
            lines.append("tags: " + " ".join(tags))
    lines.append("---")
    return lines


def bullet_list(rng: random.Random, head: str, pool: list[str]) -> list[str]:
    """A list written directly under its paragraph line, as the author does."""
    return [head, *(f"- {item}" for item in rng.sample(pool, rng.randint(2, 3)))]


def render(parts: list[list[str]]) -> str:
    return "\n\n".join("\n".join(p) for p in parts) + "\n"


def post_text(seed: int, index: int) -> tuple[str, str, str]:
    """Return ``(relative directory, file name, text)`` for post ``index``."""
    rng = random.Random(f"flagref-corpus:{seed}:{index}")
    comp = rng.choice(list(TITLES))
    ctx = Ctx(
        rng=rng,
        comp=comp,
        node=rng.choice(NODES),
        ip=rng.choice(
            [
                f"10.128.{rng.randint(0, 15)}.{rng.randint(2, 250)}",
                f"172.31.{rng.randint(0, 63)}.{rng.randint(2, 250)}",
                f"192.168.{rng.randint(0, 10)}.{rng.randint(2, 250)}",
            ]
        ),
        user=rng.choice(USERS),
    )
    title = rng.choice(TITLES[comp])
    category, subdir = rng.choice(CATEGORY_DIRS)
    target = rng.randint(4700, 5300)

    head = front_matter(ctx, title, category)
    intro = [rng.choice(INTROS).format(comp=comp)]
    lists = [
        bullet_list(rng, "Prerequisites:", PREREQUISITES),
        bullet_list(rng, "Environment: ", ENVIRONMENT),
    ]
    weights = [w for w, _ in BLOCKS]
    makers = [m for _, m in BLOCKS]
    # Draw the code blocks again until they fit the size (a post of four blocks
    # ends up with smaller ones); each block gets a paragraph after it.
    wanted = rng.randint(2, 4)
    for attempt in range(60):
        count = max(2, wanted - attempt // 20)
        blocks = []
        for maker in rng.choices(makers, weights, k=count):
            lead, body = maker(ctx)
            info = "yaml" if maker is block_bare_manifest and rng.random() < 0.5 else ""
            blocks.append([lead, f"```{info}", *body, "```"])
        if len(render([head, intro, *lists, *blocks])) + 200 * count < target:
            break
    # Pad with prose between the blocks until the post reaches its size.
    body = [intro, *lists]
    for block in blocks:
        body.append(block)
        body.append([paragraph(ctx)])
    while len(render([head, *body])) < target - 150:
        at = rng.randint(len(lists) + 1, len(body))
        body.insert(at, [paragraph(ctx)])
    text = "\n".join(head) + "\n" + render(body) + "\n--end-of-post---\n"

    day = BASE_DATE + dt.timedelta(days=index * 3 // 2 + rng.randint(0, 1))
    ext = ".markdown" if rng.random() < 0.15 else ".md"
    folder = "/".join(p for p in ("posts", category, subdir) if p)
    return folder, f"{day.isoformat()}-{slugify(title)}{ext}", text


def generate(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write ``n`` posts under ``out_dir/posts/`` and return their paths.

    The same ``(n, seed)`` always yields byte-identical files; a name that is
    already taken by an earlier post of the run gets a ``-2``, ``-3`` suffix.
    """
    out_dir = Path(out_dir)
    written: list[Path] = []
    taken: set[str] = set()
    for index in range(n):
        folder, name, text = post_text(seed, index)
        stem, ext = name.rsplit(".", 1)
        base = key = f"{folder}/{stem}"
        k = 1
        while key.lower() in taken:  # one URL per page, whatever the extension
            k += 1
            key = f"{base}-{k}"
        taken.add(key.lower())
        path = out_dir / f"{key}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of posts")
    parser.add_argument("out_dir", type=Path, help="directory to write posts/ into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    paths = generate(args.n, args.out_dir, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} posts, {size / 1e6:.2f} MB, under {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
