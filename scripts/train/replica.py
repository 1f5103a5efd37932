#!/usr/bin/python3
"""
A numpy replica of the grouped protocol (scripts/train/cv.ts) and of the logistic head (scripts/train/head.ts), for
comparisons that the plain-JS head (~35 s per fold) makes slow. Same features (exported by
scripts/train/export-features.ts), same per-photo source weights (sampleWeights), same folds (leave one evaluation
group out), same optimiser (full-batch Adam from zero, 400 iterations, lr 0.05, L2 on the weights, float64 state;
the products X.w and X'.g in float32). With --solver sklearn: LogisticRegression(C = 1 / (L2 x rows)), lbfgs.

Run with Debian's python3 (python3-numpy; python3-sklearn for --solver sklearn), after export-features.ts:
  /usr/bin/python3 scripts/train/replica.py --features coco_ssd-300-fill [--features mobilenet_v2-224-fill] \
      [--l2 0.01] [--alpha 0] [--views 1] [--train-flip] [--tta] [--save NAME] [--against NAME]
--features: one or more data/cache/replica/<dir> (their columns concatenated); --views k: training views 0..k-1
(augment.ts aug-v1 views beside the original); --train-flip: the mirror of each photo as one more training view;
--tta: held-out (and external) p(food) = mean of the photo's and its mirror's; --ensemble RUN --ensemble RUN2 (no
--features): the mean log-odds of saved runs' held-out predictions (each still grouped), paired --against a run
(--choose-weight: two runs, the second's weight chosen for each held-out group on the other groups); --standardise: columns scaled by
their training-fold std (for features on different scales); --scale START:K multiplies columns START.. by K; --save writes the held-out p(food) to
data/cache/replica/runs/NAME.npy; --against NAME compares with a saved run on the same photos (paired: McNemar's exact
test on the photos the two classify differently, per-fold wins, a bootstrap over held-out groups).
Prints pooled held-out accuracy / food recall / not-food specificity, the external set (head refitted on every photo),
and the time taken.
"""
import argparse
import json
import math
import os
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
REPLICA = os.path.join(os.environ.get('CACHE_DIR', os.path.join(os.environ.get('DATA_DIR', os.path.join(ROOT, 'data')), 'cache')), 'replica')


def load(dirs, views, flip):
    metas = [json.load(open(os.path.join(REPLICA, d, 'meta.json'))) for d in dirs]
    for m in metas[1:]:
        assert [x['file'] for x in m['train']] == [x['file'] for x in metas[0]['train']], 'photo order differs'
        assert [x['file'] for x in m['external']] == [x['file'] for x in metas[0]['external']], 'external order differs'
    meta = metas[0]

    def mat(kind, view):
        cols = []
        for d, m in zip(dirs, metas):
            n = len(m[kind])
            cols.append(np.fromfile(os.path.join(REPLICA, d, f'{kind}-{view}.f32'), dtype=np.float32).reshape(n, m['dim']))
        return np.ascontiguousarray(np.concatenate(cols, axis=1))
    train = [mat('train', f'v{v}') for v in range(views)]
    ext = [mat('external', 'v0')]
    if flip:
        train.append(mat('train', 'flip'))
        ext.append(mat('external', 'flip'))
    return meta, train, ext


def sample_weights(y, source, alpha):
    """head.ts sampleWeights: equal total per class; within a class each source weighs n^alpha."""
    keys = [f'{a}|{b}' for a, b in zip(y, source)]
    counts = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    w = np.array([counts[k] ** alpha / counts[k] for k in keys])
    total = np.array([w[y == c].sum() for c in (0, 1)])
    present = (total > 0).sum()
    return w / total[y] * len(y) / present


def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def fit_adam(x, y, sw, l2, iterations=400, lr=0.05):
    """head.ts trainHead: full-batch Adam from zero on the weighted mean log loss + l2/2 |w|^2; target 1 = food."""
    n, d = x.shape
    w = np.zeros(d); b = 0.0
    m_w = np.zeros(d); v_w = np.zeros(d); m_b = 0.0; v_b = 0.0
    b1, b2, eps = 0.9, 0.999, 1e-8
    t = (y == 0).astype(np.float64)
    scale = sw / sw.sum()
    for it in range(1, iterations + 1):
        z = (x @ w.astype(np.float32)).astype(np.float64) + b
        g = (sigmoid(z) - t) * scale
        g_b = g.sum()
        g_w = (g.astype(np.float32) @ x).astype(np.float64) + l2 * w
        c1 = 1 - b1 ** it; c2 = 1 - b2 ** it
        m_w = b1 * m_w + (1 - b1) * g_w
        v_w = b2 * v_w + (1 - b2) * g_w * g_w
        w -= lr * (m_w / c1) / (np.sqrt(v_w / c2) + eps)
        m_b = b1 * m_b + (1 - b1) * g_b
        v_b = b2 * v_b + (1 - b2) * g_b * g_b
        b -= lr * (m_b / c1) / (math.sqrt(v_b / c2) + eps)
    return w.astype(np.float32), b


def fit_sklearn(x, y, sw, l2):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(C=1 / (l2 * len(y)), max_iter=2000, tol=1e-6)
    clf.fit(x, (y == 0).astype(int), sample_weight=sw)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def fit(train_views, idx, y, source, args):
    """cv.ts fitOn: every training view of the photos idx, the photos' source weights computed over all rows."""
    x = np.concatenate([v[idx] for v in train_views]) if len(train_views) > 1 else train_views[0][idx]
    yy = np.tile(y[idx], len(train_views)); ss = np.tile(source[idx], len(train_views))
    sw = sample_weights(yy, ss, args.alpha)
    sd = None
    if args.standardise:
        sd = x.std(axis=0) + 1e-6
        x = x / sd
    w, b = (fit_sklearn if args.solver == 'sklearn' else fit_adam)(x, yy, sw, args.l2)
    if sd is not None:
        w = (w / sd).astype(np.float32)
    return w, b


def predict(w, b, test_views):
    """p(food): of view 0, or (test-time flip) the mean of the photo's and its mirror's."""
    return np.mean([sigmoid((v @ w).astype(np.float64) + b) for v in test_views], axis=0)


def metrics(p, y):
    pred = np.where(p >= 0.5, 0, 1)
    ff = int(((y == 0) & (pred == 0)).sum()); fn = int(((y == 0) & (pred == 1)).sum())
    nf = int(((y == 1) & (pred == 0)).sum()); nn = int(((y == 1) & (pred == 1)).sum())
    return {'n': len(y), 'accuracy': (ff + nn) / len(y), 'foodRecall': ff / max(1, ff + fn), 'specificity': nn / max(1, nf + nn), 'confusion': [[ff, fn], [nf, nn]]}


def paired(p_new, p_old, y, groups):
    """McNemar's exact test on discordant photos, per-group wins, and a bootstrap over held-out groups."""
    ok_new = (np.where(p_new >= 0.5, 0, 1) == y); ok_old = (np.where(p_old >= 0.5, 0, 1) == y)
    b = int((ok_new & ~ok_old).sum()); c = int((~ok_new & ok_old).sum())
    k = min(b, c); n = b + c
    p_mc = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n) if n > 0 else 1.0
    uniq = sorted(set(groups))
    per = np.array([ok_new[groups == g].mean() - ok_old[groups == g].mean() for g in uniq])
    sizes = np.array([(groups == g).sum() for g in uniq])
    gains = np.array([(ok_new[groups == g].sum() - ok_old[groups == g].sum()) for g in uniq])
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(2000):
        pick = rng.integers(0, len(uniq), len(uniq))
        boot.append(gains[pick].sum() / sizes[pick].sum())
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {'diff': float(ok_new.mean() - ok_old.mean()), 'onlyNewRight': b, 'onlyOldRight': c, 'mcnemarP': p_mc,
            'groupsBetter': int((per > 0).sum()), 'groupsWorse': int((per < 0).sum()), 'groupsSame': int((per == 0).sum()),
            'foldSpreadSd': float(per.std(ddof=1)), 'bootstrap95': [float(lo), float(hi)]}


def report_against(name, p, y, groups):
    old = np.load(os.path.join(REPLICA, 'runs', f'{name}.npy'))
    c = paired(p, old, y, groups)
    print(f"against {name}: {100 * c['diff']:+.2f} points; photos only this run gets right {c['onlyNewRight']}, only {name} {c['onlyOldRight']} "
          f"(McNemar exact p {c['mcnemarP']:.3g}); held-out groups better / worse / same {c['groupsBetter']} / {c['groupsWorse']} / {c['groupsSame']} "
          f"(sd of the per-group difference {100 * c['foldSpreadSd']:.1f} points); bootstrap over groups, 95%: {100 * c['bootstrap95'][0]:+.2f} .. {100 * c['bootstrap95'][1]:+.2f} points")
    return {'run': name, **c}


def chosen_weight(logits, y, groups, grid=np.linspace(0, 1, 11)):
    """Two members, z = (1 - w) z0 + w z1, with w chosen for each held-out group as the grid value most accurate on
    the other groups' held-out photos (ties: nearest 0.5), so no group is scored with a weight picked on itself. An
    approximation of a nested check: the other groups' predictions come from heads that saw the held-out group."""
    assert len(logits) == 2, '--choose-weight takes exactly two --ensemble runs'
    z0, z1 = logits
    z = np.zeros(len(y)); picks = {}
    for g in sorted(set(groups)):
        rest = groups != g
        acc = [((np.where(((1 - w) * z0 + w * z1)[rest] >= 0, 0, 1)) == y[rest]).mean() for w in grid]
        best = max(range(len(grid)), key=lambda i: (acc[i], -abs(grid[i] - 0.5)))
        picks[g] = round(float(grid[best]), 2)
        z[~rest] = ((1 - grid[best]) * z0 + grid[best] * z1)[~rest]
    return z, picks


def ensemble(args):
    """Held-out p(food) of two or more saved runs (each photo predicted by heads that never saw its group), averaged as
    log-odds with equal weights: still a grouped figure, since every member is. No external figure (runs do not keep it)."""
    runs = [json.load(open(os.path.join(REPLICA, 'runs', f'{n}.json'))) for n in args.ensemble]
    # the photo order of a member trained on features (a member may itself be a saved ensemble)
    features = next(r['args']['features'][0] for r in runs if r['args'].get('features'))
    meta = json.load(open(os.path.join(REPLICA, features, 'meta.json')))
    y = np.array([r['y'] for r in meta['train']]); groups = np.array([r['group'] for r in meta['train']])
    logits = [np.log(q / (1 - q)) for q in (np.clip(np.load(os.path.join(REPLICA, 'runs', f'{n}.npy')), 1e-7, 1 - 1e-7) for n in args.ensemble)]
    if args.choose_weight:
        z, picks = chosen_weight(logits, y, groups)
        print(f"weight of {args.ensemble[-1]} chosen per held-out group on the other groups' held-out photos: {picks}")
    else:
        z = np.mean(logits, axis=0)
    p = 1 / (1 + np.exp(-z))
    m = metrics(p, y)
    print(f"ensemble of {' + '.join(args.ensemble)} ({'chosen weight' if args.choose_weight else 'mean'} log-odds): acc {100 * m['accuracy']:.2f}% foodR {100 * m['foodRecall']:.2f}% spec {100 * m['specificity']:.2f}% confusion {m['confusion']}")
    result = {'args': vars(args), 'pooled': m}
    if args.against:
        result['against'] = report_against(args.against, p, y, groups)
    if args.save:
        np.save(os.path.join(REPLICA, 'runs', f'{args.save}.npy'), p)
        json.dump(result, open(os.path.join(REPLICA, 'runs', f'{args.save}.json'), 'w'), indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--features', action='append')
    ap.add_argument('--ensemble', action='append', help='saved run; with two or more and no --features: their mean log-odds')
    ap.add_argument('--choose-weight', action='store_true', help='with two --ensemble runs: the second one\'s weight chosen per held-out group on the others')
    ap.add_argument('--l2', type=float, default=0.01)
    ap.add_argument('--alpha', type=float, default=0.0)
    ap.add_argument('--views', type=int, default=1)
    ap.add_argument('--train-flip', action='store_true')
    ap.add_argument('--tta', action='store_true')
    ap.add_argument('--standardise', action='store_true')
    ap.add_argument('--scale', help='START:K, columns START.. multiplied by K (an L2 1/K^2 as heavy on them)')
    ap.add_argument('--solver', choices=['adam', 'sklearn'], default='adam')
    ap.add_argument('--save')
    ap.add_argument('--against')
    ap.add_argument('--no-external', action='store_true')
    args = ap.parse_args()
    if args.ensemble:
        return ensemble(args)
    if not args.features:
        ap.error('--features (or --ensemble) is required')
    t0 = time.time()
    meta, train, ext = load(args.features, args.views, args.train_flip or args.tta)
    if args.scale:
        start, k = args.scale.split(':')
        for v in train + ext:
            v[:, int(start):] *= float(k)
    flip = train[-1] if (args.train_flip or args.tta) else None
    aug = train[:args.views]
    train_views = aug + ([flip] if args.train_flip else [])
    test_views = [aug[0]] + ([flip] if args.tta else [])
    y = np.array([r['y'] for r in meta['train']]); source = np.array([r['source'] for r in meta['train']])
    groups = np.array([r['group'] for r in meta['train']])
    print(f"{' + '.join(args.features)}: {len(y)} photos x {train[0].shape[1]} features, {len(set(groups))} folds; "
          f"views {args.views}{' + mirror' if args.train_flip else ''}, tta {args.tta}, l2 {args.l2}, alpha {args.alpha}, {args.solver}", flush=True)
    p = np.full(len(y), np.nan)
    per = []
    for g in sorted(set(groups)):
        test = np.where(groups == g)[0]; tr = np.where(groups != g)[0]
        w, b = fit(train_views, tr, y, source, args)
        p[test] = predict(w, b, [v[test] for v in test_views])
        m = metrics(p[test], y[test])
        per.append((g, m))
        print(f'  {g[:40]:40s} n={m["n"]:5d} acc {100 * m["accuracy"]:5.1f}%', flush=True)
    t_cv = time.time() - t0
    m = metrics(p, y)
    print(f"pooled: acc {100 * m['accuracy']:.2f}% foodR {100 * m['foodRecall']:.2f}% spec {100 * m['specificity']:.2f}% confusion {m['confusion']} [{t_cv:.0f} s]")
    result = {'args': vars(args), 'pooled': m, 'perGroup': [{'group': g, **mm} for g, mm in per], 'seconds': t_cv}
    if not args.no_external:
        ye = np.array([r['y'] for r in meta['external']])
        w, b = fit(train_views, np.arange(len(y)), y, source, args)
        pe = predict(w, b, [ext[0]] + ([ext[1]] if args.tta else []))
        me = metrics(pe, ye)
        right = me['confusion'][0][0] + me['confusion'][1][1]
        print(f"external: {right} of {len(ye)} right (food {me['confusion'][0][0]}/{int((ye == 0).sum())}, not food {me['confusion'][1][1]}/{int((ye == 1).sum())}); "
              f"misses {[(r['file'], round(float(q), 3)) for r, q, yy in zip(meta['external'], pe, ye) if (q >= 0.5) != (yy == 0)]}")
        result['external'] = {'right': right, 'n': len(ye), 'confusion': me['confusion']}
    os.makedirs(os.path.join(REPLICA, 'runs'), exist_ok=True)
    if args.against:
        result['against'] = report_against(args.against, p, y, groups)
    if args.save:
        np.save(os.path.join(REPLICA, 'runs', f'{args.save}.npy'), p)
        json.dump(result, open(os.path.join(REPLICA, 'runs', f'{args.save}.json'), 'w'), indent=1)
    print(f'total {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
