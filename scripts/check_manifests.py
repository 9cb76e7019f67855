#!/usr/bin/env python3
"""Offline checks of the Kubernetes manifests under a directory (deploy/kubernetes).

Run through scripts/check-manifests.sh, which provides kubernetes-validate.

  check_manifests.py DIR              check; exit 1 listing every problem found
  check_manifests.py --self-test DIR  break copies of DIR on purpose and exit 1
                                      unless every breakage is reported

What is checked:
- every `resources:` entry of every kustomization.yaml under DIR exists, and
  every other .yaml/.yml file under DIR is listed by one (so nothing is
  validated that `kubectl apply -k` would not apply, and the reverse);
- YAML that kubectl would refuse: duplicate keys, documents that are not
  mappings;
- each resource against the OpenAPI schemas of Kubernetes KUBE_VERSIONS, the
  oldest and newest versions claimed, strictly (unknown fields are errors, and
  so is a kind without a schema);
- what the schemas cannot see:
  - every $(VAR) in a container's command and args names a variable of that
    container (env, or a key of an envFrom ConfigMap): the kubelet leaves an
    unknown reference as literal text and the pod runs with it;
  - ConfigMaps, configMapKeyRef keys, PVC claims and volume mounts that are
    referenced exist;
  - selectors match their pod template labels, Services select some pod and
    their named target ports exist there, probes name existing ports, a
    StatefulSet's serviceName is a headless Service;
  - an Indexed Job's completions, parallelism, the N of `--shard auto/N` in its
    args and SHARDS of the ConfigMap it reads agree;
  - every image is named in the `images:` of the kustomization that lists it
    (so one `kustomize edit set image` moves them all);
  - every Secret key referenced is created in the document given by
    --secret-doc (`--from-literal=KEY=`), as no Secret manifest is shipped;
- with kubectl on PATH, each kustomization renders (`kubectl kustomize`) and
  the rendered resources pass the schemas too.
"""

import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml
import kubernetes_validate.utils as kv

KUBE_VERSIONS = ["1.29.0", "1.37.0"]
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
STATS = {"files": 0, "resources": 0}  # of the last check(), for the summary line
VAR_REFERENCE = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")

# The validator reads its (large) definitions file for every resource; read each file once.
kv.schema_contents = functools.lru_cache(maxsize=None)(kv.schema_contents)


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping, as kubectl does."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_documents(path):
    with open(path) as f:
        documents = list(yaml.load_all(f, Loader=UniqueKeyLoader))
    return [d for d in documents if d is not None]


def describe(doc):
    return f"{doc.get('kind', '?')}/{(doc.get('metadata') or {}).get('name', '?')}"


def pod_template(doc):
    """(pod spec, pod labels) of a workload, or (None, None)."""
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    if kind == "Pod":
        return spec, (doc.get("metadata") or {}).get("labels") or {}
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template") or {}
    return template.get("spec"), (template.get("metadata") or {}).get("labels") or {}


def containers_of(pod_spec):
    return (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or [])


def image_name(image):
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[0] if ":" in last else name


def validate_schemas(path, doc, problems):
    if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
        problems.append(f"{path}: a document without apiVersion and kind")
        return
    for version in KUBE_VERSIONS:
        try:
            kv.validate(doc, version, strict=True)
        except kv.ValidationError as e:
            where = ".".join(str(p) for p in e.path) or "(top)"
            problems.append(f"{path}: {describe(doc)} (Kubernetes {e.version}): {where}: {e.message}")
        except kv.SchemaNotFoundError:
            problems.append(f"{path}: {describe(doc)}: no schema for {doc['apiVersion']} {doc['kind']} "
                            f"in Kubernetes {version}")


def check(root, secret_doc=None, render=True):
    """Every problem found under root, as 'file: what' lines."""
    problems = []
    root = os.path.normpath(root)

    kustomizations = []
    for directory, _, files in os.walk(root):
        kustomizations += [os.path.join(directory, f) for f in files if f in KUSTOMIZATION_NAMES]
    if not kustomizations:
        return [f"{root}: no kustomization.yaml"]

    listed = {}  # manifest path -> the kustomization listing it
    images_of = {}  # kustomization -> image names its images: transformer rewrites
    for kustomization in sorted(kustomizations):
        try:
            data = load_documents(kustomization)[0]
        except (yaml.YAMLError, IndexError) as e:
            problems.append(f"{kustomization}: {e}")
            continue
        images_of[kustomization] = {entry.get("name") for entry in data.get("images") or []}
        for entry in data.get("resources") or []:
            path = os.path.normpath(os.path.join(os.path.dirname(kustomization), entry))
            if os.path.isdir(path):
                if not any(os.path.exists(os.path.join(path, n)) for n in KUSTOMIZATION_NAMES):
                    problems.append(f"{kustomization}: resources: {entry} is a directory without a kustomization")
            elif not os.path.isfile(path):
                problems.append(f"{kustomization}: resources: {entry} does not exist")
            elif path in listed:
                problems.append(f"{kustomization}: resources: {entry} is also listed by {listed[path]}")
            else:
                listed[path] = kustomization

    for directory, _, files in os.walk(root):
        for f in sorted(files):
            path = os.path.join(directory, f)
            if f.endswith((".yaml", ".yml")) and f not in KUSTOMIZATION_NAMES and path not in listed:
                problems.append(f"{path}: not listed in the resources of any kustomization.yaml "
                                "(kubectl apply -k would not apply it)")

    documents = []  # (path, doc)
    STATS["files"] = 0
    for path in sorted(listed):
        if not os.path.isfile(path):
            continue
        STATS["files"] += 1
        try:
            docs = load_documents(path)
        except yaml.YAMLError as e:
            problems.append(f"{path}: {e}")
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                problems.append(f"{path}: a document that is not a mapping")
                continue
            validate_schemas(path, doc, problems)
            documents.append((path, doc))

    STATS["resources"] = len(documents)
    cross_check(documents, listed, images_of, secret_doc, problems)
    if render:
        render_check(kustomizations, problems)
    return problems


def cross_check(documents, listed, images_of, secret_doc, problems):
    by_kind = {}
    for _, doc in documents:
        name = (doc.get("metadata") or {}).get("name")
        by_kind.setdefault(doc.get("kind"), {})[name] = doc
    config_maps = by_kind.get("ConfigMap", {})
    claims = set(by_kind.get("PersistentVolumeClaim", {}))
    secret_keys = set()
    templates = []  # (path, doc, pod labels, pod spec)

    for path, doc in documents:
        if doc.get("kind") not in WORKLOAD_KINDS:
            continue
        what = f"{path}: {describe(doc)}"
        pod_spec, labels = pod_template(doc)
        if not isinstance(pod_spec, dict):
            continue
        templates.append((path, doc, labels, pod_spec))
        spec = doc.get("spec") or {}

        selector = (spec.get("selector") or {}).get("matchLabels")
        if doc.get("kind") in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"} and selector:
            for key, value in selector.items():
                if labels.get(key) != value:
                    problems.append(f"{what}: selector {key}={value} does not match the pod template's labels")

        volumes = {v.get("name") for v in pod_spec.get("volumes") or []}
        volumes |= {(t.get("metadata") or {}).get("name") for t in spec.get("volumeClaimTemplates") or []}
        for volume in pod_spec.get("volumes") or []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim is not None and claim not in claims:
                problems.append(f"{what}: volume {volume.get('name')} claims {claim}, "
                                "which no PersistentVolumeClaim here defines")

        for container in containers_of(pod_spec):
            cwhat = f"{what} container {container.get('name')}"
            image = container.get("image", "")
            kustomization = listed.get(path)
            if kustomization and image_name(image) not in images_of.get(kustomization, set()):
                problems.append(f"{cwhat}: image {image} is not named in the images: of {kustomization}")

            for mount in container.get("volumeMounts") or []:
                if mount.get("name") not in volumes:
                    problems.append(f"{cwhat}: mounts volume {mount.get('name')}, which the pod does not have")

            variables = set()
            for source in container.get("envFrom") or []:
                ref = source.get("configMapRef")
                if ref:
                    if ref.get("name") not in config_maps:
                        if not ref.get("optional"):
                            problems.append(f"{cwhat}: envFrom ConfigMap {ref.get('name')} is not defined here")
                        continue
                    prefix = source.get("prefix", "")
                    variables |= {prefix + k for k in (config_maps[ref["name"]].get("data") or {})}
                elif source.get("secretRef"):
                    problems.append(f"{cwhat}: envFrom a Secret: use secretKeyRef per key, so each key is checked")
            for env in container.get("env") or []:
                variables.add(env.get("name"))
                source = env.get("valueFrom") or {}
                if "configMapKeyRef" in source:
                    ref = source["configMapKeyRef"]
                    data = (config_maps.get(ref.get("name")) or {}).get("data") or {}
                    if ref.get("name") not in config_maps:
                        problems.append(f"{cwhat}: env {env.get('name')}: ConfigMap {ref.get('name')} is not defined here")
                    elif ref.get("key") not in data and not ref.get("optional"):
                        problems.append(f"{cwhat}: env {env.get('name')}: ConfigMap {ref.get('name')} has no key {ref.get('key')}")
                if "secretKeyRef" in source:
                    ref = source["secretKeyRef"]
                    secret_keys.add((ref.get("name"), ref.get("key")))

            for argument in (container.get("command") or []) + (container.get("args") or []):
                for name in VAR_REFERENCE.findall(str(argument)):
                    if name not in variables:
                        problems.append(f"{cwhat}: $({name}) names no variable of the container "
                                        "(the kubelet would pass it on as literal text)")

            ports = {p.get("name") for p in container.get("ports") or []}
            for probe_kind in ("readinessProbe", "livenessProbe", "startupProbe"):
                probe = container.get(probe_kind) or {}
                for handler in ("httpGet", "tcpSocket", "grpc"):
                    port = (probe.get(handler) or {}).get("port")
                    if isinstance(port, str) and port not in ports:
                        problems.append(f"{cwhat}: {probe_kind} uses port {port}, which the container does not name")

        if doc.get("kind") == "Job":
            check_indexed_job(what, doc, pod_spec, config_maps, problems)

    services = by_kind.get("Service", {})
    for path, doc in documents:
        if doc.get("kind") != "Service":
            continue
        what = f"{path}: {describe(doc)}"
        selector = (doc.get("spec") or {}).get("selector") or {}
        if not selector:
            continue
        selected = [t for t in templates if all(t[2].get(k) == v for k, v in selector.items())]
        if not selected:
            problems.append(f"{what}: its selector {selector} matches no pod template here")
        for port in (doc.get("spec") or {}).get("ports") or []:
            target = port.get("targetPort")
            if isinstance(target, str):
                for t_path, t_doc, _, pod_spec in selected:
                    named = {p.get("name") for c in pod_spec.get("containers") or [] for p in c.get("ports") or []}
                    if target not in named:
                        problems.append(f"{what}: targetPort {target} is not a port of {describe(t_doc)}")

    for path, doc in documents:
        if doc.get("kind") == "StatefulSet":
            name = (doc.get("spec") or {}).get("serviceName")
            service = services.get(name)
            if service is None or (service.get("spec") or {}).get("clusterIP") != "None":
                problems.append(f"{path}: {describe(doc)}: serviceName {name} is not a headless Service here")

    if secret_doc and secret_keys:
        with open(secret_doc) as f:
            text = f.read()
        for name, key in sorted(secret_keys):
            if f"--from-literal={key}=" not in text:
                problems.append(f"{secret_doc}: does not create key {key} of Secret {name} "
                                f"(--from-literal={key}=...), which a manifest reads")


def check_indexed_job(what, doc, pod_spec, config_maps, problems):
    spec = doc.get("spec") or {}
    shard_counts = []
    for container in pod_spec.get("containers") or []:
        args = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
        for i, argument in enumerate(args):
            value = None
            if argument == "--shard" and i + 1 < len(args):
                value = args[i + 1]
            elif argument.startswith("--shard="):
                value = argument.split("=", 1)[1]
            if value is not None:
                index, _, count = value.partition("/")
                if index == "auto" and spec.get("completionMode") != "Indexed":
                    problems.append(f"{what}: --shard {value} needs completionMode: Indexed")
                shard_counts.append(count)
    if spec.get("completionMode") != "Indexed":
        return
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    if completions != parallelism:
        problems.append(f"{what}: completions {completions} and parallelism {parallelism} differ: "
                        "the shards would not all run at once")
    config = {}  # what the containers read from ConfigMaps through envFrom
    for container in pod_spec.get("containers") or []:
        for source in container.get("envFrom") or []:
            name = (source.get("configMapRef") or {}).get("name")
            data = (config_maps.get(name) or {}).get("data") or {}
            config.update({source.get("prefix", "") + k: v for k, v in data.items()})
            if "SHARDS" in data and data["SHARDS"] != str(completions):
                problems.append(f"{what}: completions is {completions} but SHARDS of ConfigMap {name} is {data['SHARDS']}")
    for count in shard_counts:
        reference = VAR_REFERENCE.fullmatch(count)
        value = config.get(reference.group(1), count) if reference else count
        if value != str(completions):
            problems.append(f"{what}: --shard .../{count} is {value} shards but completions is {completions}")


def render_check(kustomizations, problems):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("check-manifests: kubectl not on PATH; kustomize rendering not checked", file=sys.stderr)
        return
    for kustomization in sorted(kustomizations):
        directory = os.path.dirname(kustomization)
        result = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"{directory}: kubectl kustomize failed: {result.stderr.strip()}")
            continue
        for doc in yaml.safe_load_all(result.stdout):
            if doc is not None:
                validate_schemas(f"{directory} (rendered)", doc, problems)


# ----------------------------------------------------------------- self-test

# (file, text, replacement, what the report must then say): each breaks one thing.
BREAKAGES = [
    ("sink.yaml", "periodSeconds: 5", "periodSecond: 5", "Additional properties are not allowed"),
    ("replay-job.yaml", "completions: 4", "completions: four", "'four' is not of type 'integer'"),
    ("recorder.yaml", "kind: StatefulSet", "kind: StatefulSett", "no schema for apps/v1 StatefulSett"),
    ("replay-job.yaml", "parallelism: 4", "parallelism: 3", "completions 4 and parallelism 3 differ"),
    ("replay-job.yaml", "- auto/$(SHARDS)", "- auto/5", "--shard .../5 is 5 shards but completions is 4"),
    ("run-config.yaml", 'SHARDS: "4"', 'SHARDS: "2"', "SHARDS of ConfigMap hookreel-run is 2"),
    ("replay-job.yaml", "completions: 4\n  parallelism: 4", "completions: 2\n  parallelism: 2",
     "completions is 2 but SHARDS of ConfigMap hookreel-run is 4"),
    ("replay-job.yaml", "$(START_AT)", "$(START_TIME)", "$(START_TIME) names no variable"),
    ("merge-job.yaml", "claimName: hookreel-data", "claimName: hookreel-dat", "claims hookreel-dat"),
    ("sink.yaml", "    app.kubernetes.io/component: sink\n  ports:", "    app.kubernetes.io/component: sinc\n  ports:",
     "matches no pod template"),
    ("run-config.yaml", 'RUN_ID: "run-1"', 'RUN_ID: "run-1"\n  RUN_ID: "run-2"', "duplicate key 'RUN_ID'"),
    ("orchestrator.yaml", "image: hookreel:latest", "image: hookreel-typo:latest", "is not named in the images:"),
    ("kustomization.yaml", "  - sink.yaml\n", "", "sink.yaml: not listed"),
    ("kustomization.yaml", "  - sink.yaml\n", "  - sink.yaml\n  - sinks.yaml\n", "sinks.yaml does not exist"),
]


def self_test(root, secret_doc):
    failures = 0
    clean = check(root, secret_doc, render=False)
    if clean:
        print("self-test: the manifests must be clean first:\n  " + "\n  ".join(clean))
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        for file, text, replacement, expected in BREAKAGES:
            copy = os.path.join(scratch, "k")
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(root, copy)
            target = os.path.join(copy, file)
            with open(target) as f:
                content = f.read()
            if text not in content:
                print(f"self-test: {file} no longer contains {text!r}: update BREAKAGES")
                failures += 1
                continue
            with open(target, "w") as f:
                f.write(content.replace(text, replacement, 1))
            found = check(copy, secret_doc, render=False)
            if not any(expected in p for p in found):
                print(f"self-test: {file}: {text!r} -> {replacement!r} was not reported as {expected!r}; "
                      f"reported: {found}")
                failures += 1
    print(f"self-test: {len(BREAKAGES) - failures} of {len(BREAKAGES)} breakages caught")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("root", help="the directory of manifests, e.g. deploy/kubernetes")
    parser.add_argument("--secret-doc", help="the document that creates the Secret (docs/kubernetes.md)")
    parser.add_argument("--self-test", action="store_true", help="check that breakages are caught")
    options = parser.parse_args()
    if options.self_test:
        return self_test(options.root, options.secret_doc)
    problems = check(options.root, options.secret_doc)
    for problem in problems:
        print(problem)
    verdict = f"{len(problems)} problem(s)" if problems else "ok"
    print(f"check-manifests: {options.root}: {STATS['resources']} resources in {STATS['files']} files "
          f"against Kubernetes {' and '.join(KUBE_VERSIONS)}: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
