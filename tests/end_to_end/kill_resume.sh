#!/usr/bin/env bash
# tests/end_to_end/kill_resume.sh TRAIN OUT - crash safety of tools/train's checkpoints.
# A reference run of the NIN network (1,280 real MNIST training images, 2 epochs of 18 batches,
# a checkpoint every 4 batches and at each epoch's end) against runs killed with SIGKILL at
# many points - right after a step, inside a checkpoint write (new file synced, not yet renamed),
# right after a checkpoint, at an epoch's end, twice in one run's life - each followed by
# --resume until the run finishes. Every resumed run must end with the reference's weights
# (weights.bin, bit for bit) and history (loss, accuracy, val_loss, val_accuracy per epoch),
# and the newest checkpoint must load after every kill. The resumed runs use 1 thread, the
# reference 2 (the result does not depend on it). Every run halves the learning rate at each
# epoch's start after the first (--lr-schedule step:1:0.5): a run resumed inside epoch 2 must
# take the rate from the checkpoint. Data: $STATICNET_DATA/mnist (tools/setup).
set -euo pipefail
train=$1 out=$2
data=${STATICNET_DATA:?STATICNET_DATA must point at the data cache (tools/setup)}/mnist
rm -rf "$out"
mkdir -p "$out"
common=(--network nin --epochs 2 --train-samples 1280 --test-samples 200 --data "$data" --checkpoint-every 4
        --lr 0.002 --lr-schedule step:1:0.5)

"$train" "${common[@]}" --threads 2 --out "$out/ref" --checkpoint-dir "$out/ref-ckpt" >"$out/ref.log" 2>&1 ||
  { echo "the reference run failed:"; tail -20 "$out/ref.log"; exit 1; }
history_of() { cut -d, -f1-6 "$1/nin/history.csv"; }  # epoch, loss, accuracy, val_*, lr
if [[ $(cut -d, -f6 "$out/ref/nin/history.csv" | tr '\n' ' ') != "lr 0.002 0.001 " ]]; then
  echo "FAIL: the reference run's learning rates are not 0.002, 0.001 (--lr-schedule step:1:0.5):"
  cat "$out/ref/nin/history.csv"
  exit 1
fi

failures=0 cases=0
# STEP:WHERE [STEP:WHERE]: the kills of one run's life, in order (steps are global: 1..36;
# checkpoints after steps 4, 8, 12, 16, 18 (epoch end), 22, 26, 30, 34, 36). Kills before the
# first checkpoint resume from the start.
for kills in 1:after-step 3:after-step 4:in-checkpoint 4:after-checkpoint 8:in-checkpoint \
             17:after-step 18:in-checkpoint 18:after-checkpoint 19:after-step 27:after-step \
             35:after-step 36:in-checkpoint "5:after-step 22:in-checkpoint" "12:in-checkpoint 30:in-checkpoint"; do
  cases=$((cases + 1))
  name=${kills// /+}
  name=${name//:/-}
  dir=$out/$name
  resume=()
  for kill in $kills; do
    status=0
    STATICNET_TRAIN_KILL=$kill "$train" "${common[@]}" --threads 1 --out "$dir/out" --checkpoint-dir "$dir/ckpt" \
      "${resume[@]}" >"$dir.log" 2>&1 || status=$?
    if ((status != 137)); then
      echo "FAIL $kills: the run to be killed at $kill ended with status $status (expected 137, SIGKILL)"
      tail -5 "$dir.log"
      failures=$((failures + 1))
      continue 2
    fi
    resume=(--resume)
  done
  status=0
  "$train" "${common[@]}" --threads 1 --out "$dir/out" --checkpoint-dir "$dir/ckpt" --resume >"$dir.log" 2>&1 || status=$?
  if ((status != 0)); then
    echo "FAIL $kills: the resumed run ended with status $status"
    tail -5 "$dir.log"
    failures=$((failures + 1))
    continue
  fi
  if ! cmp -s "$dir/out/nin/weights.bin" "$out/ref/nin/weights.bin"; then
    echo "FAIL $kills: the final weights differ from the uninterrupted run's"
    failures=$((failures + 1))
  elif [[ $(history_of "$dir/out") != "$(history_of "$out/ref")" ]]; then
    echo "FAIL $kills: the history differs from the uninterrupted run's"
    diff <(history_of "$dir/out") <(history_of "$out/ref") || true
    failures=$((failures + 1))
  else
    echo "ok   killed at $kills, resumed: $(grep -o 'Resuming nin from [^ ]*\|No checkpoint of nin' "$dir.log" | head -1)"
  fi
done
# Ctrl-C (SIGINT, sent by the hook right after step 10): the run stops after that step with a
# checkpoint at step 10 and status 130, and --resume finishes it to the same result.
cases=$((cases + 1))
dir=$out/sigint
status=0
STATICNET_TRAIN_KILL=10:sigint "$train" "${common[@]}" --threads 1 --out "$dir/out" --checkpoint-dir "$dir/ckpt" \
  >"$dir.log" 2>&1 || status=$?
if ((status != 130)) || ! grep -q '^Interrupted: nin stopped at epoch 1, batch 10' "$dir.log"; then
  echo "FAIL sigint: status $status (expected 130) or no 'Interrupted' line"
  tail -5 "$dir.log"
  failures=$((failures + 1))
else
  "$train" "${common[@]}" --threads 2 --out "$dir/out" --checkpoint-dir "$dir/ckpt" --resume >"$dir.log" 2>&1
  if ! grep -q 'Resuming nin from .*last.ckpt (epoch 1, batch 10 done, step 10, learning rate 0.002)' "$dir.log" ||
     ! cmp -s "$dir/out/nin/weights.bin" "$out/ref/nin/weights.bin"; then
    echo "FAIL sigint: the resumed run did not start at step 10 or ended elsewhere"
    failures=$((failures + 1))
  else
    echo "ok   Ctrl-C after step 10: stopped with a checkpoint, resumed to the uninterrupted result"
  fi
fi

# Control: a run with another shuffle seed does end elsewhere (the comparison can fail).
"$train" "${common[@]}" --seed 2 --threads 2 --out "$out/other" >"$out/other.log" 2>&1
if cmp -s "$out/other/nin/weights.bin" "$out/ref/nin/weights.bin"; then
  echo "FAIL control: another seed gave the same weights"
  failures=$((failures + 1))
fi
echo "kill_resume: $((cases - failures)) of $cases kill patterns resumed to the uninterrupted result"
((failures == 0))
