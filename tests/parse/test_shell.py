"""The shell layer: which program receives which words, on command lines as posts write them."""

from __future__ import annotations

import re

import pytest

from flagref.parse.programs import load_programs
from flagref.parse.shell import Heredoc, Script, command_extent, parse_script

pytestmark = pytest.mark.unit

PROGRAMS = load_programs()
# What bash takes for an assignment rather than a command name.
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")


def run(source: str) -> Script:
    return parse_script(source.split("\n"), PROGRAMS)


def summary(script: Script) -> list[tuple[str, list[str], str | None]]:
    return [(i.program, [w.value for w in i.args], i.carried_by) for i in script.invocations]


# (command line, expected invocations as (program, argument values, carried_by))
CASES = [
    # pipelines and lists
    ("kubectl get pods | grep etcd", [("kubectl", ["get", "pods"], None), ("grep", ["etcd"], None)]),
    ("a -x; b -y && c -z || d", [("a", ["-x"], None), ("b", ["-y"], None), ("c", ["-z"], None), ("d", [], None)]),
    ("(cd /tmp && ls -l)", [("cd", ["/tmp"], None), ("ls", ["-l"], None)]),
    ("{ echo a; echo b; }", [("echo", ["a"], None), ("echo", ["b"], None)]),
    ("! grep -q x f", [("grep", ["-q", "x", "f"], None)]),
    # loops and conditionals: keywords are never programs
    (
        'for ip in $ips; do ssh -i key ubuntu@$ip "sudo kubeadm init --pod-network-cidr=192.168.0.0/16"; done',
        [
            ("ssh", ["-i", "key", "ubuntu@$ip"], None),
            ("sudo", [], "ssh"),
            ("kubeadm", ["init", "--pod-network-cidr=192.168.0.0/16"], "sudo"),
        ],
    ),
    (
        "while true; do kubectl get po; sleep 1; done",
        [("true", [], None), ("kubectl", ["get", "po"], None), ("sleep", ["1"], None)],
    ),
    ("if [ -f /etc/x ]; then rm -f /etc/x; else echo no; fi", [("rm", ["-f", "/etc/x"], None), ("echo", ["no"], None)]),
    ("case $x in a) echo a;; esac", [("echo", ["a"], None)]),
    ("f() { kubectl get po; }", [("kubectl", ["get", "po"], None)]),
    # command substitution
    (
        "x=$(kubectl get secret s -o jsonpath='{.data.token}')",
        [("kubectl", ["get", "secret", "s", "-o", "jsonpath={.data.token}"], "$(...)")],
    ),
    ("x=`kubectl get po -o name`", [("kubectl", ["get", "po", "-o", "name"], "$(...)")]),
    (
        "kubectl logs $(kubectl get po | grep etcd) -n kube-system --tail=5",
        [
            ("kubectl", ["logs", "$(kubectl get po | grep etcd)", "-n", "kube-system", "--tail=5"], None),
            ("kubectl", ["get", "po"], "$(...)"),
            ("grep", ["etcd"], "$(...)"),
        ],
    ),
    (
        'export TOKEN="$(kubeadm token create)"',
        [("kubeadm", ["token", "create"], "$(...)")],
    ),
    (
        "diff <(sort a) <(sort b)",
        [("diff", ["<(sort a)", "<(sort b)"], None), ("sort", ["a"], "<(...)"), ("sort", ["b"], "<(...)")],
    ),
    # wrappers
    ("sudo sysctl --system", [("sudo", [], None), ("sysctl", ["--system"], "sudo")]),
    ("sudo -E kubeadm init", [("sudo", ["-E"], None), ("kubeadm", ["init"], "sudo")]),
    ("sudo -u root kubeadm reset -f", [("sudo", ["-u", "root"], None), ("kubeadm", ["reset", "-f"], "sudo")]),
    ("sudo -- rm -rf /x", [("sudo", [], None), ("rm", ["-rf", "/x"], "sudo")]),
    ("env A=b etcd --name x", [("env", ["A=b"], None), ("etcd", ["--name", "x"], "env")]),
    ("nohup etcd --name x &", [("nohup", [], None), ("etcd", ["--name", "x"], "nohup")]),
    ("watch -n 1 kubectl get pods", [("watch", ["-n", "1"], None), ("kubectl", ["get", "pods"], "watch")]),
    (
        "watch -n1 'kubectl get po | grep -v Running'",
        [("watch", ["-n1"], None), ("kubectl", ["get", "po"], "watch"), ("grep", ["-v", "Running"], "watch")],
    ),
    ("xargs -I{} kubectl delete pod {}", [("xargs", ["-I{}"], None), ("kubectl", ["delete", "pod", "{}"], "xargs")]),
    ("xargs -n 1 kubectl delete", [("xargs", ["-n", "1"], None), ("kubectl", ["delete"], "xargs")]),
    ("timeout 30s etcdctl get /", [("timeout", ["30s"], None), ("etcdctl", ["get", "/"], "timeout")]),
    ("nice -n 10 tar -czf a.tgz d", [("nice", ["-n", "10"], None), ("tar", ["-czf", "a.tgz", "d"], "nice")]),
    ("exec kube-apiserver --etcd-servers=x", [("exec", [], None), ("kube-apiserver", ["--etcd-servers=x"], "exec")]),
    ("time kubectl get po", [("kubectl", ["get", "po"], "time")]),
    ("/usr/bin/time -v kubectl get po", [("time", ["-v"], None), ("kubectl", ["get", "po"], "time")]),
    (
        "chroot /host systemctl restart kubelet",
        [("chroot", ["/host"], None), ("systemctl", ["restart", "kubelet"], "chroot")],
    ),
    (
        "sudo -E env PATH=$PATH timeout 5 nohup etcd --data-dir=/d",
        [
            ("sudo", ["-E"], None),
            ("env", ["PATH=$PATH"], "sudo"),
            ("timeout", ["5"], "env"),
            ("nohup", [], "timeout"),
            ("etcd", ["--data-dir=/d"], "nohup"),
        ],
    ),
    # pipes credit each program its own options
    (
        "curl -fsSL https://x/key.gpg | sudo gpg --dearmor -o /etc/apt/k.gpg",
        [
            ("curl", ["-fsSL", "https://x/key.gpg"], None),
            ("sudo", [], None),
            ("gpg", ["--dearmor", "-o", "/etc/apt/k.gpg"], "sudo"),
        ],
    ),
    # carried strings
    (
        'ssh -i key ubuntu@$ip "sudo kubeadm init --pod-network-cidr=192.168.0.0/16"',
        [
            ("ssh", ["-i", "key", "ubuntu@$ip"], None),
            ("sudo", [], "ssh"),
            ("kubeadm", ["init", "--pod-network-cidr=192.168.0.0/16"], "sudo"),
        ],
    ),
    ("ssh host 'cmd1 -a && cmd2 -b'", [("ssh", ["host"], None), ("cmd1", ["-a"], "ssh"), ("cmd2", ["-b"], "ssh")]),
    (
        "ssh node1 sudo systemctl restart kubelet",
        [("ssh", ["node1"], None), ("sudo", [], "ssh"), ("systemctl", ["restart", "kubelet"], "sudo")],
    ),
    ("ssh -t node1", [("ssh", ["-t", "node1"], None)]),
    ("sh -c 'etcd --name x'", [("sh", ["-c", "etcd --name x"], None), ("etcd", ["--name", "x"], "sh -c")]),
    (
        'bash -c "a -x | b -y"',
        [("bash", ["-c", "a -x | b -y"], None), ("a", ["-x"], "bash -c"), ("b", ["-y"], "bash -c")],
    ),
    (
        "bash -ec 'set -x; kubeadm reset'",
        [
            ("bash", ["-ec", "set -x; kubeadm reset"], None),
            ("set", ["-x"], "bash -c"),
            ("kubeadm", ["reset"], "bash -c"),
        ],
    ),
    (
        "su - bob -c 'kubeadm reset -f'",
        [("su", ["-", "bob", "-c", "kubeadm reset -f"], None), ("kubeadm", ["reset", "-f"], "su -c")],
    ),
    (
        'gcloud compute ssh NODE --zone Z --command "sudo journalctl -u kubelet -n 5"',
        [
            ("gcloud", ["compute", "ssh", "NODE", "--zone", "Z", "--command", "sudo journalctl -u kubelet -n 5"], None),
            ("sudo", [], "gcloud compute ssh"),
            ("journalctl", ["-u", "kubelet", "-n", "5"], "sudo"),
        ],
    ),
    (
        "kubectl exec etcd-0 -n kube-system -- etcdctl --endpoints=https://127.0.0.1:2379 member list",
        [
            ("kubectl", ["exec", "etcd-0", "-n", "kube-system"], None),
            ("etcdctl", ["--endpoints=https://127.0.0.1:2379", "member", "list"], "kubectl exec"),
        ],
    ),
    (
        'kubectl exec -it POD -- sh -c "ETCDCTL_API=3 etcdctl get / --prefix"',
        [
            ("kubectl", ["exec", "-it", "POD"], None),
            ("sh", ["-c", "ETCDCTL_API=3 etcdctl get / --prefix"], "kubectl exec"),
            ("etcdctl", ["get", "/", "--prefix"], "sh -c"),
        ],
    ),
    (
        "kubectl -n kube-system exec etcd -- ls /",
        [("kubectl", ["-n", "kube-system", "exec", "etcd"], None), ("ls", ["/"], "kubectl exec")],
    ),
    (
        "kubectl run t --image=busybox --rm -it -- nslookup kubernetes",
        [
            ("kubectl", ["run", "t", "--image=busybox", "--rm", "-it"], None),
            ("nslookup", ["kubernetes"], "kubectl run"),
        ],
    ),
    (
        "kubectl debug node/n -it --image=ubuntu -- chroot /host",
        [("kubectl", ["debug", "node/n", "-it", "--image=ubuntu"], None), ("chroot", ["/host"], "kubectl debug")],
    ),
    (
        "docker run --rm -v a:b IMAGE cmd --flag",
        [("docker", ["run", "--rm", "-v", "a:b", "IMAGE"], None), ("cmd", ["--flag"], "docker run")],
    ),
    (
        "docker run -d --name etcd quay.io/coreos/etcd:v3.5 etcd --name s1",
        [
            ("docker", ["run", "-d", "--name", "etcd", "quay.io/coreos/etcd:v3.5"], None),
            ("etcd", ["--name", "s1"], "docker run"),
        ],
    ),
    ("docker run --rm busybox", [("docker", ["run", "--rm", "busybox"], None)]),
    (
        "docker exec -it c1 etcdctl get /",
        [("docker", ["exec", "-it", "c1"], None), ("etcdctl", ["get", "/"], "docker exec")],
    ),
    ("crictl exec -it 1234 ls /etc", [("crictl", ["exec", "-it", "1234"], None), ("ls", ["/etc"], "crictl exec")]),
    ("crictl ps -a", [("crictl", ["ps", "-a"], None)]),
    # assignments
    ("export ETCDCTL_API=3", []),
    ("TOKEN=abc", []),
    ("A=1 B=2", []),
    ("ETCDCTL_API=3 etcdctl get /", [("etcdctl", ["get", "/"], None)]),
    # redirections are not arguments
    ("kubectl get po > out.txt", [("kubectl", ["get", "po"], None)]),
    ("kubectl get po 2>&1 | tee log", [("kubectl", ["get", "po"], None), ("tee", ["log"], None)]),
    ("kubectl get po >> f 2>/dev/null", [("kubectl", ["get", "po"], None)]),
    ("sort < in.txt", [("sort", [], None)]),
    ("make &> build.log", [("make", [], None)]),
    ("echo a > f b c", [("echo", ["a", "b", "c"], None)]),
    ('grep x <<< "$text"', [("grep", ["x"], None)]),
    # quoting
    ('cut -d " " -f1', [("cut", ["-d", " ", "-f1"], None)]),
    (
        'kubeadm init --pod-network-cidr="192.168.0.0/16"',
        [("kubeadm", ["init", "--pod-network-cidr=192.168.0.0/16"], None)],
    ),
    ('echo ${INTERNAL_IP} $VAR "$HOME/x"', [("echo", ["${INTERNAL_IP}", "$VAR", "$HOME/x"], None)]),
    ("echo a\\ b 'c d' \"e\\\"f\" $'g\\th'", [("echo", ["a b", "c d", 'e"f', "g\th"], None)]),
    (
        "kubectl get po -o jsonpath='{.items[*].metadata.name}'",
        [("kubectl", ["get", "po", "-o", "jsonpath={.items[*].metadata.name}"], None)],
    ),
    # placeholders are words, not redirections
    ("kubeadm join <ip>:6443 --token <token>", [("kubeadm", ["join", "<ip>:6443", "--token", "<token>"], None)]),
    # paths
    ("/usr/local/bin/etcd --name x", [("etcd", ["--name", "x"], None)]),
    ("./kubectl version", [("kubectl", ["version"], None)]),
    ("kubectl apply -f - <<EOF\nkind: Pod\nEOF", [("kubectl", ["apply", "-f", "-"], None)]),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[case[0][:60] for case in CASES])
def test_invocations(source: str, expected) -> None:
    script = run(source)
    assert summary(script) == expected


def test_assigns_are_names() -> None:
    (invocation,) = run("ETCDCTL_API=3 FOO=bar etcdctl get /").invocations
    assert invocation.assigns == ("ETCDCTL_API", "FOO")
    sudo, kubeadm = run("sudo FOO=1 kubeadm init").invocations
    assert kubeadm.assigns == ("FOO",)


def test_words_keep_value_and_written() -> None:
    (invocation,) = run('kubeadm init --pod-network-cidr "192.168.0.0/16" -d " "').invocations
    cidr, space = invocation.args[2], invocation.args[4]
    assert (cidr.value, cidr.written) == ("192.168.0.0/16", '"192.168.0.0/16"')
    assert (space.value, space.written) == (" ", '" "')


def test_substitution_is_one_word_without_glued_parenthesis() -> None:
    outer = run("kubectl logs $(kubectl get po | grep etcd) -n kube-system").invocations[0]
    values = [w.value for w in outer.args]
    assert values == ["logs", "$(kubectl get po | grep etcd)", "-n", "kube-system"]
    assert not any(v.startswith(")") or v.endswith(")") and not v.startswith("$(") for v in values)


def test_continuation_lines_and_word_lines() -> None:
    script = run("sudo kubeadm init \\\n  --pod-network-cidr=10.0.0.0/16 \\\n  --cri-socket=unix:///x")
    kubeadm = script.invocations[1]
    assert [(w.value, w.line) for w in kubeadm.args] == [
        ("init", 0),
        ("--pod-network-cidr=10.0.0.0/16", 1),
        ("--cri-socket=unix:///x", 2),
    ]
    assert kubeadm.line == 0
    assert kubeadm.text == "kubeadm init --pod-network-cidr=10.0.0.0/16 --cri-socket=unix:///x"
    assert script.consumed == frozenset({0, 1, 2})


def test_carried_string_words_take_the_line_of_the_string() -> None:
    script = run('ssh node \\\n  "kubeadm init --a=1"')
    kubeadm = script.invocations[1]
    assert kubeadm.line == 1
    assert [w.line for w in kubeadm.args] == [1, 1]


def test_multiline_carried_string_keeps_lines() -> None:
    script = run("bash -c '\nkubeadm reset -f\nkubeadm init --a=1\n'")
    assert [(i.program, i.line, i.carried_by) for i in script.invocations] == [
        ("bash", 0, None),
        ("kubeadm", 1, "bash -c"),
        ("kubeadm", 2, "bash -c"),
    ]


def test_string_for_a_manifest_command() -> None:
    # command: ["/bin/sh", "-c", "etcd --listen-client-urls=..."]: the lead hands over the string.
    script = parse_script(["etcd --listen-client-urls=http://0.0.0.0:2379 && echo done"], PROGRAMS)
    assert summary(script) == [("etcd", ["--listen-client-urls=http://0.0.0.0:2379"], None), ("echo", ["done"], None)]


# --------------------------------------------------------------------------
# Heredocs


HEREDOCS = [
    (
        "cat <<EOF | sudo tee /etc/modules-load.d/k8s.conf\noverlay\nbr_netfilter\nEOF",
        "cat",
        "/etc/modules-load.d/k8s.conf",
        ("overlay", "br_netfilter"),
    ),
    ("cat > /etc/x <<EOF\na\nEOF", "cat", "/etc/x", ("a",)),
    ("cat <<EOF > /etc/x\na\nEOF", "cat", "/etc/x", ("a",)),
    ("sudo tee /etc/x <<'EOF'\na $HOME\nEOF", "tee", "/etc/x", ("a $HOME",)),
    ('sudo tee /etc/x > /dev/null <<"EOF"\na\nEOF', "tee", "/etc/x", ("a",)),
    ("cat <<-EOF >> /etc/x\n\ta\n\tEOF", "cat", "/etc/x", ("\ta",)),
    ("kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nEOF", "kubectl", None, ("apiVersion: v1", "kind: Pod")),
    ("cat <<EOF | kubectl apply -f -\nkind: Pod\nEOF", "cat", None, ("kind: Pod",)),
    ("cat <<EOF\nEOF", "cat", None, ()),
]


@pytest.mark.parametrize(("source", "reader", "target", "body"), HEREDOCS, ids=[h[0].split("\n")[0] for h in HEREDOCS])
def test_heredocs(source: str, reader: str, target: str | None, body: tuple[str, ...]) -> None:
    script = run(source)
    (heredoc,) = script.heredocs
    assert (heredoc.reader, heredoc.target, heredoc.body) == (reader, target, body)
    assert heredoc.terminated
    assert heredoc.line == 1 or not body
    # Body lines never become commands.
    body_lines = set(range(1, 1 + len(body)))
    assert not any(i.line in body_lines for i in script.invocations)
    assert script.consumed == frozenset(range(len(source.split("\n"))))
    assert not script.problems


def test_heredoc_body_that_looks_like_commands_is_not_run() -> None:
    script = run("cat <<EOF > run.sh\nkubeadm init --bad-flag\nrm -rf /\nEOF\nchmod +x run.sh")
    assert summary(script) == [("cat", [], None), ("chmod", ["+x", "run.sh"], None)]
    assert script.heredocs[0].body == ("kubeadm init --bad-flag", "rm -rf /")


def test_two_heredocs_in_a_script() -> None:
    script = run("cat <<A > a\n1\nA\ncat <<B > b\n2\nB")
    assert [(h.target, h.body, h.line) for h in script.heredocs] == [("a", ("1",), 1), ("b", ("2",), 4)]


def test_unclosed_heredoc_is_reported() -> None:
    script = run("cat <<EOF > /etc/x\nline one\nline two")
    assert script.heredocs
    heredoc: Heredoc = script.heredocs[0]
    assert heredoc.body == ("line one", "line two") and not heredoc.terminated
    assert script.problems
    assert [i.program for i in script.invocations] == ["cat"]


# --------------------------------------------------------------------------
# Problems: reported, never raised, no word dropped


def test_unclosed_quote_falls_back_and_keeps_words() -> None:
    script = run('kubectl get po -l "app=x')
    assert script.problems
    (invocation,) = script.invocations
    assert invocation.program == "kubectl"
    assert [w.written for w in invocation.args] == ["get", "po", "-l", '"app=x']


def test_grammar_error_falls_back_with_problem() -> None:
    script = run("if then fi ) ( do ssh x")
    assert script.problems
    assert [i.program for i in script.invocations] == ["ssh"]


def test_fallback_still_reads_carriers_and_substitutions() -> None:
    script = run('sudo kubeadm init --x=$(hostname) )"')
    assert script.problems
    programs = [i.program for i in script.invocations]
    assert programs[:2] == ["sudo", "kubeadm"]


def test_variable_program_is_a_problem_not_an_invocation() -> None:
    script = run("$KUBECTL get po -n x")
    assert not script.invocations
    assert "$KUBECTL" in script.problems[0].reason


def test_unknown_carrier_option_is_reported() -> None:
    script = run("docker run --weird-option img cmd")
    assert summary(script)[-1] == ("cmd", [], "docker run")
    assert any("--weird-option" in p.reason for p in script.problems)


# --------------------------------------------------------------------------
# command_extent


@pytest.mark.parametrize(
    ("lines", "start", "end"),
    [
        (["kubectl get po", "NAME READY"], 0, 1),
        (["kubeadm init \\", "  --a=1 \\", "  --b=2", "output"], 0, 3),
        (["cat <<EOF > x", "a", "EOF", "ls"], 0, 3),
        (["cat <<-'END'", "a", "\tEND", "ls"], 0, 3),
        (['echo "a', 'b"', "out"], 0, 2),
        (['echo "a', "out", "more"], 0, 1),  # never closed: a typo, the command is its first line
        (["kubectl get po |", "  grep x", "out"], 0, 2),
        (["a &&", "b", "c"], 0, 2),
        (["echo $(date", "+%s)", "x"], 0, 2),
        (["# comment", "x"], 0, 1),
        (["ls", "x"], 5, 5),
        (["for n in a b; do", "  ssh $n uptime", "done"], 0, 1),  # in a script each line is read alone
    ],
)
def test_command_extent(lines: list[str], start: int, end: int) -> None:
    assert command_extent(lines, start) == end


@pytest.mark.parametrize(
    ("lines", "start", "end"),
    [
        # At a prompt, a compound command goes on to its closing word, as the shell reads it
        # (the transcript shows its lines after the continuation prompt).
        (["for n in a b; do", "  ssh $n uptime", "done", "out"], 0, 3),
        (["while read -r n; do", "  if [ -n $n ]; then", "    echo $n", "  fi", "done < f", "x"], 0, 5),
        (["if true; then ls; fi", "out"], 0, 1),
        (["case $x in", "  a) ls;;", "esac", "out"], 0, 3),
        (["{ echo a", "  echo b; }", "out"], 0, 2),
        (["x", "for i in 1 2; do", "echo $i", "done"], 1, 4),
        (["for i in 1 2; do", "  echo $i"], 0, 1),  # never closed: a typo, the command is its first line
        (["echo for if done", "out"], 0, 1),  # reserved words only where a command starts
        (["kubectl wait --for=condition=Ready pod/x", "out"], 0, 1),
        (["for n in a; do", *["  ls"] * 200, "done"], 0, 1),  # closed too far below: taken for unclosed
    ],
)
def test_command_extent_of_a_compound(lines: list[str], start: int, end: int) -> None:
    assert command_extent(lines, start, compounds=True) == end


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("for x in a b; do kubectl get $x; done )", [("kubectl", ["get", "$x"], None)]),
        ("case $x in a) echo a;; b) ls -l;; esac )", [("echo", ["a"], None), ("ls", ["-l"], None)]),
        (
            "if true; then sudo -E kubeadm init; fi )",
            [("true", [], None), ("sudo", ["-E"], None), ("kubeadm", ["init"], "sudo")],
        ),
        ("A=b { )", []),
    ],
)
def test_tolerant_reader_skips_keywords(source: str, expected) -> None:
    script = run(source)
    assert script.problems
    assert summary(script) == expected


def test_characters_that_crash_the_grammar_are_masked() -> None:
    # tree-sitter-bash 0.25 crashed the whole process, about one parse in two, on `{` + U+EF640.
    for _ in range(200):
        script = parse_script(["{\U000ef640", "echo {\U000ef640} \U0001f600x"], PROGRAMS)
    assert [w.value for w in script.invocations[-1].args] == ["{\U000ef640}", "\U0001f600x"]
