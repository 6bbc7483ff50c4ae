#!/usr/bin/env bash
# tests/end_to_end/bad_input.sh TRAIN EXPORT OUT - every kind of bad file or argument a user can
# hand to staticnet_train (IDX data, checkpoints, command line, output folders, a full disk) and
# to staticnet_export (weights.bin), run through the real programs. Each case checks the exit
# status, the exact stderr text (README.md, "## Bad input", shows the same messages) and that
# the files already in the output and checkpoint folders are byte for byte what they were
# (sha256 before and after), with no temporary file left behind. Small synthetic data (256
# training and 64 test images of 28x28), the NIN network, one epoch: each run takes < 1 s.
# Needs python3 (the data and the binary edits). Signatures (0x + 16 hex digits) in messages
# are compared as <signature>.
set -euo pipefail
if [[ $# -ne 3 ]]; then
  sed -n '2,10s/^# \{0,1\}//p' "$0"
  exit 2
fi
train=$(realpath "$1") export=$(realpath "$2") out=$3
rm -rf "$out"
mkdir -p "$out"
cd "$out"  # relative paths: the messages below are exact

cat >binedit.py <<'EOF'
import gzip, random, struct, sys, zlib
cmd, path, *args = sys.argv[1:]
def load(): return bytearray(open(path, 'rb').read())
def save(b): open(path, 'wb').write(bytes(b))
if cmd == 'images':      # images PATH N ROWS COLS SEED: random IDX images
    n, rows, cols, seed = map(int, args)
    r = random.Random(seed)
    save(struct.pack('>IIII', 0x803, n, rows, cols) + bytes(r.randrange(256) for _ in range(n * rows * cols)))
elif cmd == 'labels':    # labels PATH N SEED: random IDX labels 0..9
    n, seed = map(int, args)
    r = random.Random(seed)
    save(struct.pack('>II', 0x801, n) + bytes(r.randrange(10) for _ in range(n)))
elif cmd == 'flip':      # flip PATH OFFSET (negative: from the end): one bit
    b = load(); b[int(args[0])] ^= 0x10; save(b)
elif cmd == 'poke':      # poke PATH OFFSET HEX
    b = load(); o = int(args[0]); h = bytes.fromhex(args[1]); b[o:o + len(h)] = h; save(b)
elif cmd == 'be32':      # be32 PATH OFFSET VALUE
    b = load(); o = int(args[0]); b[o:o + 4] = struct.pack('>I', int(args[1])); save(b)
elif cmd == 'le32':      # le32 PATH OFFSET VALUE
    b = load(); o = int(args[0]); b[o:o + 4] = struct.pack('<I', int(args[1])); save(b)
elif cmd == 'float':     # float PATH OFFSET nan|inf (offset negative: from the end)
    b = load(); o = int(args[0]) % len(b); b[o:o + 4] = struct.pack('<f', float(args[1])); save(b)
elif cmd == 'crc':       # crc PATH: the trailing CRC-32 (little-endian) of every byte before it
    b = load(); b[-4:] = struct.pack('<I', zlib.crc32(bytes(b[:-4]))); save(b)
elif cmd == 'weights-v1':  # weights-v1 PATH: a version-1 weights.bin (magic ...1, no CRC)
    b = load(); b[7:8] = b'1'; save(b[:-4])
elif cmd == 'gzip':      # gzip PATH DEST
    open(args[0], 'wb').write(gzip.compress(bytes(load()), mtime=0))
else:
    sys.exit('binedit: unknown command ' + cmd)
EOF
edit() { python3 binedit.py "$@"; }
size() { stat -c %s "$1"; }

# The data, and a finished run (out/ and ckpt/ with weights, history, results, last.ckpt,
# prev.ckpt, best.weights.bin) that every case starts from.
mkdir -p data
edit images data/train-images-idx3-ubyte 256 28 28 1
edit labels data/train-labels-idx1-ubyte 256 2
edit images data/t10k-images-idx3-ubyte 64 28 28 3
edit labels data/t10k-labels-idx1-ubyte 64 4
A=(--network nin --epochs 1 --train-samples 256 --test-samples 64 --threads 1)
"$train" "${A[@]}" --data data --out base/out --checkpoint-dir base/ckpt --checkpoint-every 2 >base.log 2>&1 ||
  { echo "the baseline run failed:"; tail -20 base.log; exit 1; }
for f in base/out/nin/weights.bin base/out/results.json base/ckpt/nin/last.ckpt base/ckpt/nin/prev.ckpt; do
  [[ -f $f ]] || { echo "the baseline run left no $f"; exit 1; }
done

# A fresh case folder C: C/data, C/out, C/ckpt as the baseline left them.
fresh() {
  rm -rf "$1"
  mkdir -p "$1"
  cp -a data base/out base/ckpt "$1"/
}
snapshot() {
  local p
  for p in "$@"; do
    if [[ -e $p ]]; then find "$p" -type f -print0 | sort -z | xargs -0r sha256sum; else echo "missing: $p"; fi
  done
}
limited() {  # limited KB COMMAND...: COMMAND with a file size limit of KB KiB (a full disk)
  local kb=$1
  shift
  (ulimit -f "$kb" && exec "$@")
}

failures=0 cases=0
fail() {
  echo "FAIL $name: $*"
  failures=$((failures + 1))
}
# check NAME STATUS EXPECTED_STDERR "KEPT PATHS" COMMAND...: runs COMMAND in case folder NAME
# (made by fresh or by hand before), then checks the status, the whole stderr and that the kept
# paths (files or folders) hold the same files with the same bytes as before; no *.tmp may be
# left in the case folder.
check() {
  name=$1
  local want_status=$2 want_err=$3 keep=$4 before after status=0 err
  shift 4
  cases=$((cases + 1))
  mkdir -p "$name"
  # shellcheck disable=SC2086  # keep is a list of paths
  before=$(snapshot $keep)
  "$@" >"$name.stdout" 2>"$name.stderr" || status=$?
  err=$(sed -E 's/0x[0-9a-f]{16}/<signature>/g' "$name.stderr")
  # shellcheck disable=SC2086
  after=$(snapshot $keep)
  local bad=$failures
  ((status == want_status)) || fail "exit status $status, expected $want_status"
  if [[ $err != "$want_err" ]]; then
    fail "stderr differs"
    diff <(printf '%s\n' "$want_err") <(printf '%s\n' "$err") | sed 's/^/     /' || true
  fi
  if [[ $before != "$after" ]]; then
    fail "files changed in: $keep"
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/     /' || true
  fi
  local tmp
  tmp=$(find "$name" -name '*.tmp' -o -name '.staticnet_train-probe.*')
  [[ -z $tmp ]] || fail "temporary files left: $tmp"
  ((failures > bad)) || echo "ok   $name"
}
# The run did not train (an error found before training costs no time).
not_trained() {
  if grep -q '^Epoch ' "$name.stdout"; then fail "training started before the error"; fi
}

T=("$train" "${A[@]}")

# ---- IDX data files (--data) -----------------------------------------------------------------
run_data() { "${T[@]}" --data "$1/data" --out "$1/out" --checkpoint-dir "$1/ckpt" --resume; }
c=idx-truncated; fresh $c; truncate -s -100 $c/data/train-images-idx3-ubyte
check $c 1 "staticnet_train: $c/data/train-images-idx3-ubyte: truncated: expected 200704 bytes of pixel data, found 200604" \
  "$c/out $c/ckpt" run_data $c
c=idx-wrong-magic; fresh $c; edit poke $c/data/train-images-idx3-ubyte 0 1234
check $c 1 "staticnet_train: $c/data/train-images-idx3-ubyte: not an IDX image file: magic 0x12340803, expected 0x00000803" \
  "$c/out $c/ckpt" run_data $c
c=idx-labels-as-images; fresh $c; cp data/t10k-labels-idx1-ubyte $c/data/t10k-images-idx3-ubyte
check $c 1 "staticnet_train: $c/data/t10k-images-idx3-ubyte: not an IDX image file: magic 0x00000801, expected 0x00000803 (this looks like an IDX label file): 1 dimension, images need 3" \
  "$c/out $c/ckpt" run_data $c
c=idx-bad-dimensions; fresh $c; edit be32 $c/data/train-images-idx3-ubyte 8 0
check $c 1 "staticnet_train: $c/data/train-images-idx3-ubyte: bad dimensions: rows = 0, must be 1..4096" \
  "$c/out $c/ckpt" run_data $c
c=idx-wrong-image-size; fresh $c; edit images $c/data/t10k-images-idx3-ubyte 64 14 14 5
check $c 1 "staticnet_train: $c/data: the t10k images are 14x14 pixels, the networks take 28x28" \
  "$c/out $c/ckpt" run_data $c
c=idx-flipped-bit-gzip; fresh $c; edit gzip $c/data/train-labels-idx1-ubyte $c/data/train-labels-idx1-ubyte.gz
rm $c/data/train-labels-idx1-ubyte; edit flip $c/data/train-labels-idx1-ubyte.gz -8  # in the CRC-32
check $c 1 "staticnet_train: $c/data/train-labels-idx1-ubyte.gz: corrupt gzip stream: incorrect data check" \
  "$c/out $c/ckpt" run_data $c
c=idx-empty; fresh $c; : >$c/data/t10k-labels-idx1-ubyte
check $c 1 "staticnet_train: $c/data/t10k-labels-idx1-ubyte: empty file (no IDX header)" \
  "$c/out $c/ckpt" run_data $c
c=idx-claims-more; fresh $c; edit be32 $c/data/train-images-idx3-ubyte 4 60000
check $c 1 "staticnet_train: $c/data/train-images-idx3-ubyte: truncated: expected 47040000 bytes of pixel data, found 200704" \
  "$c/out $c/ckpt" run_data $c
c=idx-trailing-bytes; fresh $c; printf 'xy' >>$c/data/train-images-idx3-ubyte
check $c 1 "staticnet_train: $c/data/train-images-idx3-ubyte: trailing data: 2 extra bytes after the 200704 bytes of pixel data" \
  "$c/out $c/ckpt" run_data $c
c=idx-gzip-junk; fresh $c; edit gzip $c/data/t10k-labels-idx1-ubyte $c/data/t10k-labels-idx1-ubyte.gz
rm $c/data/t10k-labels-idx1-ubyte; at=$(size $c/data/t10k-labels-idx1-ubyte.gz); printf 'junk' >>$c/data/t10k-labels-idx1-ubyte.gz
check $c 1 "staticnet_train: $c/data/t10k-labels-idx1-ubyte.gz: trailing data after the gzip stream: 4 bytes at offset $at that are not a gzip member" \
  "$c/out $c/ckpt" run_data $c
c=idx-label-out-of-range; fresh $c; edit poke $c/data/train-labels-idx1-ubyte 15 0a  # label 7
check $c 1 "staticnet_train: $c/data/train-labels-idx1-ubyte: label 10 at index 7 is outside 0..9" \
  "$c/out $c/ckpt" run_data $c
c=idx-count-mismatch; fresh $c; edit labels $c/data/train-labels-idx1-ubyte 255 2
check $c 1 "staticnet_train: $c/data/train-labels-idx1-ubyte: label count 255 does not match image count 256 in $c/data/train-images-idx3-ubyte" \
  "$c/out $c/ckpt" run_data $c
c=idx-missing-file; fresh $c; rm $c/data/t10k-labels-idx1-ubyte
check $c 1 "staticnet_train: no t10k labels file found: tried $c/data/t10k-labels-idx1-ubyte and $c/data/t10k-labels-idx1-ubyte.gz" \
  "$c/out $c/ckpt" run_data $c
c=data-missing-folder; fresh $c
check $c 1 "staticnet_train: $c/nowhere: no such data folder (--data)" \
  "$c/out $c/ckpt" "${T[@]}" --data $c/nowhere --out $c/out --checkpoint-dir $c/ckpt --resume

# ---- weights.bin (staticnet_export --weights; tools/export, staticnet_add_model) -------------
# C/weights.bin (the baseline's) and a header C/nin_model.hpp from an earlier export: kept.
fresh_weights() {
  rm -rf "$1"
  mkdir -p "$1"
  cp base/out/nin/weights.bin "$1"/weights.bin
  echo '// an earlier export' >"$1"/nin_model.hpp
}
run_export() { "$export" --network "${2:-nin}" --weights "$1/weights.bin" --out "$1/nin_model.hpp"; }
wsize=$(size base/out/nin/weights.bin)
c=weights-truncated; fresh_weights $c; truncate -s 1000 $c/weights.bin
check $c 1 "staticnet_export: $c/weights.bin: truncated: 1000 bytes, the header promises $wsize" $c run_export $c
c=weights-wrong-magic; fresh_weights $c; edit poke $c/weights.bin 0 58
check $c 1 "staticnet_export: $c/weights.bin: not a staticnet weights file (wrong magic)" $c run_export $c
c=weights-empty; fresh_weights $c; : >$c/weights.bin
check $c 1 "staticnet_export: $c/weights.bin: empty file (not a staticnet weights file)" $c run_export $c
c=weights-wrong-network; fresh_weights $c
check $c 1 "staticnet_export: $c/weights.bin: holds 31850 parameters but this network has 78602 (the weights of another network?)" \
  $c run_export $c deep
c=weights-flipped-bit; fresh_weights $c; edit flip $c/weights.bin 1000
check $c 1 "staticnet_export: $c/weights.bin: CRC-32 mismatch: the file is corrupt" $c run_export $c
c=weights-nan; fresh_weights $c; edit float $c/weights.bin 24 nan; edit crc $c/weights.bin
check $c 1 "staticnet_export: $c/weights.bin: parameter 0 of conv2d/kernel (layer position 1) is NaN: the weights are broken (a diverged training?)" \
  $c run_export $c
c=weights-inf; fresh_weights $c; edit float $c/weights.bin -8 inf; edit crc $c/weights.bin  # the last value
check $c 1 "staticnet_export: $c/weights.bin: parameter 15 of batch_normalization_v2/moving_variance (layer position 9) is infinite: the weights are broken (a diverged training?)" \
  $c run_export $c
c=weights-trailing-bytes; fresh_weights $c; printf 'xy' >>$c/weights.bin
check $c 1 "staticnet_export: $c/weights.bin: trailing data: $((wsize + 2)) bytes, the header promises $wsize" $c run_export $c
# Control: a version-1 file (before the CRC) still exports.
c=weights-version-1; fresh_weights $c; edit weights-v1 $c/weights.bin
check $c 0 "" $c/weights.bin run_export $c

# ---- checkpoints (staticnet_train --checkpoint-dir DIR --resume) ------------------------------
# Only C/ckpt/nin/last.ckpt, damaged: refused with the reason, nothing changed.
ckpt_case() {
  fresh "$1"
  rm "$1"/ckpt/nin/prev.ckpt
}
run_resume() { "${T[@]}" --data data --out "$1/out" --checkpoint-dir "$1/ckpt" --resume "${@:2}"; }
no_usable() { printf 'staticnet_train: --resume: no usable checkpoint for %s in %s (last.ckpt / prev.ckpt: see above); nothing was changed' "$2" "$1"; }
csize=$(size base/ckpt/nin/last.ckpt)
c=checkpoint-truncated; ckpt_case $c; truncate -s $((csize - 1000)) $c/ckpt/nin/last.ckpt
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: truncated: $((csize - 1000)) bytes, the header promises $csize
$(no_usable $c/ckpt/nin nin)" "$c/out $c/ckpt" run_resume $c
c=checkpoint-wrong-magic; ckpt_case $c; edit poke $c/ckpt/nin/last.ckpt 0 58
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: not a staticnet checkpoint (wrong magic)
$(no_usable $c/ckpt/nin nin)" "$c/out $c/ckpt" run_resume $c
c=checkpoint-empty; ckpt_case $c; : >$c/ckpt/nin/last.ckpt
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: empty file (not a checkpoint)
$(no_usable $c/ckpt/nin nin)" "$c/out $c/ckpt" run_resume $c
c=checkpoint-wrong-network; ckpt_case $c; mkdir -p $c/ckpt/bn; mv $c/ckpt/nin/last.ckpt $c/ckpt/bn/last.ckpt
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/bn/last.ckpt: written for another network (signature <signature>, 31850 parameters; this network: <signature>, 79114 parameters)
$(no_usable $c/ckpt/bn bn)" "$c/out $c/ckpt" run_resume $c --network bn
c=checkpoint-flipped-bit; ckpt_case $c; edit flip $c/ckpt/nin/last.ckpt 2000
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: CRC-32 mismatch: the file is corrupt
$(no_usable $c/ckpt/nin nin)" "$c/out $c/ckpt" run_resume $c
# Parameter 5: the values are the file's last (P + S) x 4 bytes before the CRC (NIN, Adam:
# P = 31,850, S = 2 x 31,658).
c=checkpoint-nan; ckpt_case $c; edit float $c/ckpt/nin/last.ckpt $((csize - 4 - (31850 + 63316) * 4 + 5 * 4)) nan
edit crc $c/ckpt/nin/last.ckpt
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: parameter 5 is NaN
$(no_usable $c/ckpt/nin nin)" "$c/out $c/ckpt" run_resume $c
# The header claims one more finished epoch than the file holds (u32 at offset 136; the history
# bytes per epoch are what last.ckpt, 1 epoch, has more than prev.ckpt, 0 epochs).
c=checkpoint-claims-more; ckpt_case $c; edit le32 $c/ckpt/nin/last.ckpt 136 2; edit crc $c/ckpt/nin/last.ckpt
per_epoch=$((csize - $(size base/ckpt/nin/prev.ckpt)))
check $c 1 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: truncated: $csize bytes, the header promises $((csize + per_epoch))
$(no_usable $c/ckpt/nin nin)" "$c/out $c/ckpt" run_resume $c
c=checkpoint-other-options; fresh $c
check $c 1 "staticnet_train: $c/ckpt/nin/last.ckpt: cannot be continued with these options: the batch size was 64 in the checkpoint, 32 now; nothing was changed" \
  "$c/out $c/ckpt" run_resume $c --batch 32
# A damaged last.ckpt and a good prev.ckpt: training continues from prev.ckpt, which is kept
# (the damaged last.ckpt is replaced, not rotated over it).
c=checkpoint-damaged-last-good-prev; fresh $c; edit flip $c/ckpt/nin/last.ckpt 2000
check $c 0 "staticnet_train: skipping a checkpoint: $c/ckpt/nin/last.ckpt: CRC-32 mismatch: the file is corrupt" \
  "$c/ckpt/nin/prev.ckpt" run_resume $c
grep -q "^Resuming nin from $c/ckpt/nin/prev.ckpt" $c.stdout || fail "did not resume from prev.ckpt"
c=checkpoint-earlier-run-without-resume; fresh $c
check $c 1 "staticnet_train: $c/ckpt/nin/last.ckpt: a checkpoint of an earlier run; continue it with --resume, or remove it (or choose another --checkpoint-dir) to start again; nothing was changed" \
  "$c/out $c/ckpt" "${T[@]}" --data data --out $c/out --checkpoint-dir $c/ckpt
not_trained

# ---- command line ----------------------------------------------------------------------------
c=option-unknown; fresh $c
check $c 2 "staticnet_train: unknown option '--epoch' (see --help)" $c/out "${T[@]}" --data data --out $c/out --epoch 2
c=option-missing-value; fresh $c
check $c 2 "staticnet_train: --epochs needs a value (see --help)" $c/out "${T[@]}" --data data --out $c/out --epochs
c=option-not-a-number; fresh $c
check $c 2 "staticnet_train: --epochs needs a number, got 'five' (see --help)" $c/out "${T[@]}" --data data --out $c/out --epochs five
c=option-bad-network; fresh $c
check $c 2 "staticnet_train: --network must be all, zoo or one of deep, bn, nin, lenet5, nin_gap, tiny, inception, resnet, mobilenet, vgg, not 'alexnet' (see --help)" $c/out \
  "${T[@]}" --data data --out $c/out --network alexnet
c=option-batch-too-large; fresh $c
check $c 2 "staticnet_train: --batch must be 1..64 (the models' compile-time batch; change kBatchCapacity in examples/train.cpp for more) (see --help)" \
  $c/out "${T[@]}" --data data --out $c/out --batch 65
c=option-resume-without-dir; fresh $c
check $c 2 "staticnet_train: --resume needs --checkpoint-dir DIR (where the checkpoints are) (see --help)" $c/out \
  "${T[@]}" --data data --out $c/out --resume
c=option-no-data; fresh $c
check $c 2 "staticnet_train: --data DIR is required (tools/train passes the MNIST cache) (see --help)" $c/out \
  "${T[@]}" --out $c/out

# ---- output folders --------------------------------------------------------------------------
c='out-is-a-file'; fresh $c; echo 'notes' >$c/notes.txt
check $c 1 "staticnet_train: $c/notes.txt: the output folder is a file, not a folder; nothing was trained" \
  "$c/notes.txt $c/out" "${T[@]}" --data data --out $c/notes.txt
not_trained
c='out-inside-a-file'; fresh $c; echo 'notes' >$c/notes.txt
check $c 1 "staticnet_train: $c/notes.txt/run: cannot create the output folder: Not a directory; nothing was trained" \
  "$c/notes.txt $c/out" "${T[@]}" --data data --out $c/notes.txt/run
not_trained
# A folder without write permission. root may write anywhere: then the run is made as nobody
# (setpriv), if nobody can run the program here; otherwise skipped.
as_user=()
if ((EUID == 0)); then
  if command -v setpriv >/dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups "$train" --help >/dev/null 2>&1 &&
     setpriv --reuid=65534 --regid=65534 --clear-groups test -r data/train-images-idx3-ubyte; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    as_user=(skip)
  fi
fi
if [[ ${as_user[0]:-} == skip ]]; then
  echo "skip out-not-writable, checkpoint-folder-not-writable: running as root and nobody cannot run $train here"
else
  c='out-not-writable'; fresh $c; chmod -R a+rX $c; chmod a-w $c/out
  check $c 1 "staticnet_train: $c/out: cannot write to the output folder: Permission denied; nothing was trained" \
    $c/out "${as_user[@]}" "${T[@]}" --data data --out $c/out
  not_trained
  c=checkpoint-folder-not-writable; fresh $c; chmod -R a+rX $c; chmod a+w $c/out $c/out/nin; chmod a-w $c/ckpt/nin
  check $c 1 "staticnet_train: $c/ckpt/nin: cannot write to the checkpoint folder: Permission denied; nothing was trained" \
    "$c/out $c/ckpt" "${as_user[@]}" "${T[@]}" --data data --out $c/out --checkpoint-dir $c/ckpt --resume
  not_trained
fi

# ---- a full disk (a file size limit: every write past 64 KiB / 200 KiB fails) -----------------
c=disk-full-weights; fresh $c
check $c 1 "staticnet_train: $c/out/nin/weights.bin: cannot write the weights: File too large; the previous file (if any) is untouched" \
  $c/out limited 64 "${T[@]}" --data data --out $c/out
# weights.bin (124 KiB) fits, the checkpoint (372 KiB) does not: last.ckpt and prev.ckpt stay.
c=disk-full-checkpoint; fresh $c
check $c 1 "staticnet_train: $c/ckpt/nin/last.ckpt: cannot write the checkpoint: File too large; the previous checkpoint (if any) is untouched" \
  "$c/ckpt/nin/last.ckpt $c/ckpt/nin/prev.ckpt" limited 200 "${T[@]}" --epochs 2 --data data --out $c/out --checkpoint-dir $c/ckpt --resume
# ... and the run continues from there once there is room.
if ! "${T[@]}" --epochs 2 --data data --out $c/out --checkpoint-dir $c/ckpt --resume >$c.resumed.log 2>&1 ||
   ! grep -q "^Resuming nin from $c/ckpt/nin/last.ckpt (epoch 2" $c.resumed.log; then
  fail "could not resume after the full disk"
fi
# A really full disk (ENOSPC): a 256 KiB tmpfs in a private mount namespace, when allowed (root).
c=disk-full-tmpfs
if ((EUID == 0)) && unshare -m true 2>/dev/null; then
  fresh $c; mkdir -p $c/small
  tmpfs_run() {
    # shellcheck disable=SC2016  # expanded by the inner sh
    unshare -m sh -c 'mount -t tmpfs -o size=256k tmpfs "$1/small" && cp -a "$1/out" "$1/small/" &&
                      find "$1/small" -type f -print0 | sort -z | xargs -0r sha256sum >"$1/small-before" &&
                      shift && "$@"; status=$?
                      find "$0/small" -type f -print0 | sort -z | xargs -0r sha256sum >"$0/small-after"; exit $status' \
      "$1" "$1" "${@:2}"
  }
  check $c 1 "staticnet_train: $c/small/out/nin/weights.bin: cannot write the weights: No space left on device; the previous file (if any) is untouched" \
    "" tmpfs_run $c "${T[@]}" --data data --out $c/small/out
  cmp -s $c/small-before $c/small-after || fail "files on the full tmpfs changed: $(diff $c/small-before $c/small-after)"
else
  echo "skip $c: needs root and unshare -m (mount namespaces)"
fi

echo "bad_input: $((cases - failures)) of $cases cases gave the expected message and kept every file"
((failures == 0))
