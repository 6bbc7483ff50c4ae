#!/usr/bin/env bash
# tests/end_to_end/zoo_report.sh TRAIN OUT - tools/train --network zoo writes the report.
# Every zoo network trains one short epoch on the first 640 real MNIST training images (576
# after the validation split) and is tested on 256; then the report must hold: zoo.md with one
# row per network in examples/zoo.hpp's order, each with the parameter count the network's
# summary printed, and the recipe under the table (data, pixels, epochs, batch, split, rate,
# schedule, seed, the sample limits); zoo.csv with the same numbers; results.json with one
# entry per network; out/<network>/result.json; and the two plots as PNG files when gnuplot is
# installed (tools/setup installs it). Data: $STATICNET_DATA/mnist (tools/setup).
set -euo pipefail
train=$1 out=$2
data=${STATICNET_DATA:?STATICNET_DATA must point at the data cache (tools/setup)}/mnist
rm -rf "$out"
mkdir -p "$out"
fail() {
  echo "FAIL: $*"
  exit 1
}

status=0
"$train" --network zoo --epochs 1 --train-samples 640 --test-samples 256 --normalize --threads 2 \
  --lr-schedule exponential:5:0.5 --data "$data" --out "$out/run" >"$out/run.log" 2>&1 || status=$?
((status == 0)) || { tail -20 "$out/run.log"; fail "tools/train --network zoo ended with status $status"; }

names=(deep bn nin lenet5 nin_gap tiny inception resnet mobilenet vgg)
md=$out/run/zoo.md
csv=$out/run/zoo.csv
[[ -f $md && -f $csv && -f $out/run/results.json ]] || fail "zoo.md, zoo.csv or results.json is missing"
[[ $(sed -n 1p "$md") == "| network | params | MACs per sample | inference arena (batch 1) | training arena (batch 64) | s/epoch | test accuracy |" ]] ||
  fail "zoo.md's header is $(sed -n 1p "$md")"
rows=$(grep -c '^| [a-z]' "$md")
((rows == ${#names[@]} + 1)) || fail "zoo.md has $((rows - 1)) network rows, not ${#names[@]}"
[[ $(sed -n 1p "$csv") == "name,params,macs,test_accuracy" ]] || fail "zoo.csv's header is $(sed -n 1p "$csv")"
for i in "${!names[@]}"; do
  n=${names[$i]}
  # The summary's "Total params: N" of this network, as the report must show it.
  params=$(awk -v n="=== $n ===" '$0 == n { on = 1 } on && /^Total params:/ { print $3; exit }' "$out/run.log")
  [[ -n $params ]] || fail "$n: no summary in the log"
  row=$(sed -n "$((i + 3))p" "$md")
  [[ $row == "| $n | $params | "* ]] || fail "zoo.md row $((i + 1)) is '$row', expected $n with $params parameters"
  [[ $row =~ \|\ [0-9]+\.[0-9]\ \|\ [0-9]+\.[0-9]{2}%\ \|$ ]] || fail "$n: no s/epoch and accuracy in '$row'"
  line=$(sed -n "$((i + 2))p" "$csv")
  [[ $line == "$n,${params//,/},"* ]] || fail "zoo.csv line $((i + 2)) is '$line', expected $n with ${params//,/}"
  [[ -f $out/run/$n/result.json ]] || fail "$n/result.json is missing"
done
entries=$(grep -o '"name": "' "$out/run/results.json" | wc -l)
((entries == ${#names[@]})) || fail "results.json has $entries entries, not ${#names[@]}"
footer="Data: $data (pixels scaled to 0..1); 1 epoch each, batch 64, validation split 0.1, Adam, learning rate 0.001 with --lr-schedule exponential:5:0.5, seed 1; test accuracy on the first 256 test images, trained on the first 640 training images."
grep -qxF "$footer" "$md" || { tail -1 "$md"; fail "zoo.md's recipe line is not: $footer"; }
if command -v gnuplot >/dev/null; then
  for p in zoo_accuracy_vs_params zoo_accuracy_vs_macs; do
    [[ $(head -c 4 "$out/run/$p.png" 2>/dev/null | od -An -c | tr -d ' ') == '211PNG' ]] || fail "$p.png is not a PNG"
  done
else
  echo "gnuplot not installed: the plots are not checked"
fi
echo "ok: the zoo report has all ${#names[@]} networks, their parameter counts and the recipe"
