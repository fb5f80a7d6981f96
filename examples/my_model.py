"""An EXAMPLE of "your model" for the probe: a small text classifier over token ids (embedding, a two-layer
nn.TransformerEncoder, a linear head). Replace it with a function that builds your own model.

From the repository root:

    python -m signin_lite probe --model examples.my_model:build --input-shape 64 --input-dtype long --vocab 8000 \
        --batch-size 16 --sparsity 0.9 --steps 20
    python -m signin_lite report --lang ja --probe runs/probe/probe_build_s0.9_<id>.json --out poc_report_ja.html

The probe masks the attention projections, the feed-forward and the head; the embedding stays dense (add
--mask-embeddings to mask it too), and page 1 says so with the sparsity over all weights.
"""

from torch import nn


class ReviewClassifier(nn.Module):
    def __init__(self, vocab: int = 8000, dim: int = 128, heads: int = 4, layers: int = 2, classes: int = 5):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, 4 * dim, batch_first=True, dropout=0.1)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(dim, classes)

    def forward(self, tokens):
        return self.head(self.enc(self.emb(tokens)).mean(1))


def build() -> nn.Module:
    """The function `--model examples.my_model:build` calls (no arguments)."""
    return ReviewClassifier()
