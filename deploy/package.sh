#!/usr/bin/env bash
# Build the AWS Lambda zip for STAGE with `zappa package`, from a virtualenv that
# holds only what serving needs, with Lambda-ready wheels and valid bytecode.
#
#   deploy/package.sh [STAGE] [OUT_ZIP]
#
# Run it from the folder holding zappa_settings.json, assistant/ and the built
# index/ (normally the repository root). Needs no AWS credentials.
# The virtualenv and wheel cache live in $ASSISTANT_LAMBDA_BUILD (default
# build/lambda beside this script) and are reused while requirements-lambda.txt
# is unchanged. PACKAGE_WITHOUT_INDEX=1 packages an app that needs no index.
set -euo pipefail

stage=${1:-dev}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
build=${ASSISTANT_LAMBDA_BUILD:-$repo/build/lambda}
out=$(realpath -m "${2:-$build/$stage.zip}")
python=${LAMBDA_PYTHON:-python3.11}
venv=$build/venv
reqs=$here/requirements-lambda.txt

if [ ! -f zappa_settings.json ]; then
    echo "package.sh: no zappa_settings.json in $(pwd)" >&2; exit 2
fi
if [ -z "${PACKAGE_WITHOUT_INDEX:-}" ] && [ -z "$(find index -type f ! -name '.*' ! -name 'README*' 2>/dev/null | head -1)" ]; then
    echo "package.sh: $(pwd)/index holds no index; build it first: assistant index SITE --out index/site" >&2; exit 2
fi
runtime=$("$python" -c 'import json,sys; s=json.load(open("zappa_settings.json")); st=s[sys.argv[1]]; print(st.get("runtime") or s.get(st.get("extends",""),{}).get("runtime","python3.11"))' "$stage")

want=$(sha256sum "$reqs" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet -r "$reqs"
    echo "$want" > "$venv/.requirements"
fi

export TMPDIR=$build/tmp
mkdir -p "$TMPDIR" "$(dirname "$out")"
"$venv/bin/python" "$here/prepare_wheels.py" --runtime "$runtime" "$TMPDIR"

(
    # zappa packages the active virtualenv.
    . "$venv/bin/activate"
    export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-central-1}
    zappa package "$stage" -o "$out"
)
"$venv/bin/python" "$here/precompile_zip.py" "$out"
echo "package.sh: $out ($(du -h "$out" | cut -f1))"
