"""Occlusion maps recomputed by PyTorch from nn-oracle's fixture.

Reads spec/crosscheck/occlusion-fixture.json (a small trained CNN's
parameters, two images, patch/stride/fill), builds the same network with
torch.nn.functional in float64, and for each image writes
  map[r][c] = P(label | x) - P(label | x with the patch at (r s, c s) set to fill)
to spec/crosscheck/occlusion-torch.json. Run by /usr/bin/python3 (PyTorch 1.13):
  /usr/bin/python3 spec/crosscheck/occlusion_torch.py
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with open(os.path.join(HERE, 'occlusion-fixture.json')) as f:
        fx = json.load(f)
    P = {k: torch.tensor(v['data'], dtype=torch.float64).view(v['shape']) for k, v in fx['params'].items()}
    o = fx['occlusion']

    def logits(x):
        h = F.conv2d(x, P['conv1.weight'], P['conv1.bias'], padding=1)
        h = F.max_pool2d(F.relu(h), 2)
        return F.linear(h.flatten(1), P['fc1.weight'], P['fc1.bias'])

    out = []
    for im in fx['images']:
        x = torch.tensor(im['pixels'], dtype=torch.float64).view(1, 1, 28, 28)
        k = int(im['label'])
        rows = (28 - o['patch']) // o['stride'] + 1
        batch = [x]
        for r in range(rows):
            for c in range(rows):
                y = x.clone()
                y[:, :, r * o['stride']:r * o['stride'] + o['patch'], c * o['stride']:c * o['stride'] + o['patch']] = o['fill']
                batch.append(y)
        p = torch.softmax(logits(torch.cat(batch)), dim=1)[:, k]
        out.append({'label': k, 'probability': p[0].item(), 'rows': rows, 'map': (p[0] - p[1:]).tolist()})
    with open(os.path.join(HERE, 'occlusion-torch.json'), 'w') as f:
        json.dump({'framework': f'torch {torch.__version__}', 'images': out}, f)
        f.write('\n')


if __name__ == '__main__':
    main()
