#!/usr/bin/python3
"""
Fine-tuning trial: the COCO-SSD backbone's last layer (Conv_1: 1x1 convolution 320 -> 1280, batch norm folded, ReLU6)
trained together with the logistic head, on top of frozen layers below it, under the grouped protocol of
scripts/train/replica.py (same folds, same per-photo source weights, same L2 on the head). The class scores (91
log-odds) stay those of the frozen detector. Each fold starts from the pretrained Conv_1 and from the head of the
shipped recipe fitted on that fold's frozen features (replica.fit_adam), then runs minibatch Adam for --epochs.

Needs scripts/train/export-conv1-input.ts (Conv_1's inputs, 1.2 GB) and export-features.ts coco_ssd@300:fill. Run:
  /usr/bin/python3 scripts/train/finetune.py [--epochs 2] [--lr 1e-4] [--batch 64] [--limit N --time-only] [--save NAME]
--time-only: one epoch over the first N photos, timed, for the cost estimate.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from replica import REPLICA, fit_adam, metrics, paired, sample_weights, sigmoid  # noqa: E402

D_IN, D_OUT, POS = 320, 1280, 100


def load():
    base = os.path.join(REPLICA, 'coco_ssd-300-fill')
    meta = json.load(open(os.path.join(base, 'meta.json')))
    cm = json.load(open(os.path.join(REPLICA, 'coco_ssd-300-fill-conv1in', 'meta.json')))
    assert cm['train'] == [r['file'] for r in meta['train']] and cm['external'] == [r['file'] for r in meta['external']], 'photo order differs'
    n, ne = len(meta['train']), len(meta['external'])
    feats = np.fromfile(os.path.join(base, 'train-v0.f32'), dtype=np.float32).reshape(n, meta['dim'])
    ext_feats = np.fromfile(os.path.join(base, 'external-v0.f32'), dtype=np.float32).reshape(ne, meta['dim'])
    d = os.path.join(REPLICA, 'coco_ssd-300-fill-conv1in')
    x = np.memmap(os.path.join(d, 'train-v0.f32'), dtype=np.float32, mode='r', shape=(n, POS, D_IN))
    xe = np.fromfile(os.path.join(d, 'external-v0.f32'), dtype=np.float32).reshape(ne, POS, D_IN)
    w0 = np.fromfile(os.path.join(d, 'conv1-filter.f32'), dtype=np.float32).reshape(D_IN, D_OUT)
    b0 = np.fromfile(os.path.join(d, 'conv1-bias.f32'), dtype=np.float32)
    return meta, feats, ext_feats, x, xe, w0, b0


def pooled(x, w, b):
    """mean over the 10x10 positions of relu6(x W + b): the graph's food/gap."""
    h = x.reshape(-1, D_IN) @ w + b
    return np.clip(h, 0, 6).reshape(len(x), POS, D_OUT).mean(axis=1), h


class Adam:
    def __init__(self, params, lr):
        self.lr = lr; self.t = 0
        self.m = [np.zeros_like(p) for p in params]; self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        self.t += 1
        c1 = 1 - 0.9 ** self.t; c2 = 1 - 0.999 ** self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= 0.9; m += 0.1 * g
            v *= 0.999; v += 0.001 * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + 1e-8)


def finetune(x, scores, y, sw, idx, w_conv, b_conv, w_head, b_head, args, log=None):
    """Minibatch Adam on Conv_1 (w_conv, b_conv) and the head (w_head over [gap, scores], b_head); returns them."""
    params = [w_conv.copy(), b_conv.copy(), w_head.astype(np.float32).copy(), np.array([b_head], dtype=np.float32)]
    opt = Adam(params, args.lr)
    rng = np.random.default_rng(0)
    t = (y == 0).astype(np.float32)
    swn = (sw / sw[idx].mean()).astype(np.float32)  # mean weight 1 over the training photos
    for ep in range(args.epochs):
        order = idx[rng.permutation(len(idx))]
        t0 = time.time(); loss = 0.0
        for s in range(0, len(order), args.batch):
            bi = np.sort(order[s:s + args.batch])
            xb = np.asarray(x[bi], dtype=np.float32)
            wc, bc, wh, bh = params
            g, h = pooled(xb, wc, bc)
            f = np.concatenate([g, scores[bi]], axis=1)
            z = f @ wh + bh[0]
            p = sigmoid(z.astype(np.float64)).astype(np.float32)
            wts = swn[bi] / len(bi)
            loss += float(-(wts * (t[bi] * np.log(np.clip(p, 1e-7, 1)) + (1 - t[bi]) * np.log(np.clip(1 - p, 1e-7, 1)))).sum())
            dz = (p - t[bi]) * wts
            d_wh = f.T @ dz + args.l2 * wh
            d_bh = np.array([dz.sum()], dtype=np.float32)
            dg = np.outer(dz, wh[:D_OUT]) / POS                      # [B, 1280], per position
            dh = np.repeat(dg, POS, axis=0) * ((h > 0) & (h < 6))    # [B*100, 1280]
            d_wc = xb.reshape(-1, D_IN).T @ dh
            d_bc = dh.sum(axis=0)
            opt.step(params, [d_wc, d_bc, d_wh, d_bh])
        if log is not None:
            log(f'    epoch {ep + 1}: weighted loss {loss / max(1, (len(order) + args.batch - 1) // args.batch):.4f} ({time.time() - t0:.0f} s, {1000 * (time.time() - t0) / len(order):.1f} ms/photo)')
    return params


def predict(x, scores, params, chunk=256):
    wc, bc, wh, bh = params
    out = np.empty(len(x))
    for s in range(0, len(x), chunk):
        g, _ = pooled(np.asarray(x[s:s + chunk], dtype=np.float32), wc, bc)
        out[s:s + chunk] = sigmoid((np.concatenate([g, scores[s:s + chunk]], axis=1) @ wh).astype(np.float64) + bh[0])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--l2', type=float, default=0.01)
    ap.add_argument('--alpha', type=float, default=0.0)
    ap.add_argument('--limit', type=int)
    ap.add_argument('--time-only', action='store_true')
    ap.add_argument('--save')
    args = ap.parse_args()
    meta, feats, ext_feats, x, xe, w0, b0 = load()
    y = np.array([r['y'] for r in meta['train']]); source = np.array([r['source'] for r in meta['train']])
    groups = np.array([r['group'] for r in meta['train']])
    scores = np.ascontiguousarray(feats[:, D_OUT:])
    # the frozen Conv_1 reproduces the cached pooled features
    g, _ = pooled(np.asarray(x[:64]), w0, b0)
    print(f'frozen Conv_1 vs cached pooled features (64 photos): max abs diff {np.abs(g - feats[:64, :D_OUT]).max():.2e}', flush=True)
    if args.time_only:
        n = args.limit or 500
        idx = np.arange(n)
        sw = sample_weights(y, source, args.alpha)
        t0 = time.time()
        finetune(x, scores, y, sw, idx, w0, b0, np.zeros(feats.shape[1]), 0.0, argparse.Namespace(**{**vars(args), 'epochs': 1}), log=print)
        dt = time.time() - t0
        print(f'one epoch over {n} photos: {dt:.1f} s = {1000 * dt / n:.1f} ms/photo; a leave-one-source-out run ({len(set(groups))} folds, '
              f'~{len(y)} photos each) would take ~{dt / n * len(y) * len(set(groups)) / 60:.0f} min per epoch')
        return
    t_start = time.time()
    p = np.full(len(y), np.nan); p_frozen = np.full(len(y), np.nan)
    for gname in sorted(set(groups)):
        test = np.where(groups == gname)[0]; tr = np.where(groups != gname)[0]
        sw_all = np.zeros(len(y)); sw_all[tr] = sample_weights(y[tr], source[tr], args.alpha)
        wh, bh = fit_adam(feats[tr], y[tr], sw_all[tr], args.l2)
        p_frozen[test] = sigmoid((feats[test] @ wh).astype(np.float64) + bh)
        t0 = time.time()
        params = finetune(x, scores, y, sw_all, tr, w0, b0, wh, bh, args)
        p[test] = predict(x[test], scores[test], params)
        mf = metrics(p_frozen[test], y[test]); mt = metrics(p[test], y[test])
        print(f'  {gname[:40]:40s} n={len(test):5d} frozen {100 * mf["accuracy"]:5.1f}% tuned {100 * mt["accuracy"]:5.1f}% ({time.time() - t0:.0f} s)', flush=True)
    dt = time.time() - t_start
    for name, q in (('frozen (the shipped recipe)', p_frozen), (f'Conv_1 + head tuned, {args.epochs} epochs, lr {args.lr}', p)):
        m = metrics(q, y)
        print(f"{name}: acc {100 * m['accuracy']:.2f}% foodR {100 * m['foodRecall']:.2f}% spec {100 * m['specificity']:.2f}% confusion {m['confusion']}")
    c = paired(p, p_frozen, y, groups)
    print(f"tuned vs frozen: {100 * c['diff']:+.2f} points; only tuned right {c['onlyNewRight']}, only frozen right {c['onlyOldRight']} (McNemar p {c['mcnemarP']:.3g}); "
          f"groups better / worse / same {c['groupsBetter']} / {c['groupsWorse']} / {c['groupsSame']}; bootstrap 95% {100 * c['bootstrap95'][0]:+.2f} .. {100 * c['bootstrap95'][1]:+.2f} [{dt:.0f} s]")
    # external: everything refitted on all photos
    sw = sample_weights(y, source, args.alpha)
    wh, bh = fit_adam(feats, y, sw, args.l2)
    params = finetune(x, scores, y, sw, np.arange(len(y)), w0, b0, wh, bh, args)
    ye = np.array([r['y'] for r in meta['external']])
    pe = predict(xe, ext_feats[:, D_OUT:], params)
    me = metrics(pe, ye)
    print(f"external: {me['confusion'][0][0] + me['confusion'][1][1]} of {len(ye)} right, confusion {me['confusion']}; total {time.time() - t_start:.0f} s")
    if args.save:
        os.makedirs(os.path.join(REPLICA, 'runs'), exist_ok=True)
        np.save(os.path.join(REPLICA, 'runs', f'{args.save}.npy'), p)
        json.dump({'args': vars(args), 'pooled': metrics(p, y), 'frozen': metrics(p_frozen, y), 'against': c, 'external': me['confusion'], 'seconds': dt},
                  open(os.path.join(REPLICA, 'runs', f'{args.save}.json'), 'w'), indent=1)


if __name__ == '__main__':
    main()
