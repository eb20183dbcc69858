using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Cam;

/// <summary>
/// --target-mode match-box's seed on YOLOv5 (docs/cam.md, "Target modes"): the gradient of s = Σ_matches IoU(reference,
/// decode(o_j)) + score_j with respect to the Detect outputs, against central differences of a float64 evaluation of s
/// written here (its own decode), for the fixture's three targets (one per level) with references moved off their boxes.
/// </summary>
public class MatchBoxSeedTests
{
    static double S(double x) => 1 / (1 + Math.Exp(-x));

    // s for one match on a level's host output, in double.
    static double Value(double[] o, int plane, int nx, double stride, double aw, double ah, YoloTarget t, Box r, CamScore score, int no)
    {
        int c0 = t.Anchor * no, p = t.GridY * nx + t.GridX;
        double cx = (S(o[c0 * plane + p]) * 2 - 0.5 + t.GridX) * stride, cy = (S(o[(c0 + 1) * plane + p]) * 2 - 0.5 + t.GridY) * stride;
        double w = Math.Pow(S(o[(c0 + 2) * plane + p]) * 2, 2) * aw, h = Math.Pow(S(o[(c0 + 3) * plane + p]) * 2, 2) * ah;
        double ix = Math.Max(Math.Min(r.X2, cx + w / 2) - Math.Max(r.X1, cx - w / 2), 0), iy = Math.Max(Math.Min(r.Y2, cy + h / 2) - Math.Max(r.Y1, cy - h / 2), 0);
        double inter = ix * iy, iou = inter / ((r.X2 - r.X1) * (r.Y2 - r.Y1) + w * h - inter);
        double obj = o[(c0 + 4) * plane + p], cls = o[(c0 + 5 + t.ClassId) * plane + p];
        return iou + score switch { CamScore.Logit => cls, CamScore.Objectness => obj, _ => S(obj) * S(cls) };
    }

    [Theory]
    [InlineData(CamScore.Logit)]
    [InlineData(CamScore.Confidence)]
    public void The_seed_is_the_gradient_of_iou_plus_score(CamScore score)
    {
        using var x = CamFixture.Input();
        var inner = new YoloCamAdapter(CamFixture.Model);
        var adapter = new MatchBoxAdapter(inner);
        var head = CamFixture.Model.Head;
        int no = head.Classes + 5;
        using var tape = new Tape();
        var outputs = adapter.Forward(Var.Input(x));
        var hosts = outputs.Select(o => o.Value.ToArray()).ToArray();
        var matches = CamFixture.Targets(score).Items.Select(t =>
        {
            var o = outputs[t.Level];
            int nx = o.Shape[3], plane = o.Shape[2] * nx;
            var b = BoxSeeds_Decode(hosts[t.Level], t.Anchor * no, t.GridY * nx + t.GridX, plane, nx, 160f / o.Shape[2], head.AnchorsPx[t.Level][2 * t.Anchor], head.AnchorsPx[t.Level][2 * t.Anchor + 1]);
            return (t, new Box(b.X1 + 3, b.Y1 - 2, b.X2 + 1, b.Y2 + 4));
        }).ToArray();
        var targets = new MatchBoxTargets(matches, score);
        var seeds = adapter.Seed(outputs, targets);
        try
        {
            Assert.Equal(3, seeds.Count);
            foreach (var (output, grad) in seeds)
            {
                int level = Array.IndexOf(outputs, output);
                var (t, r) = matches.Single(m => m.t.Level == level);
                int nx = output.Shape[3], plane = output.Shape[2] * nx, p = t.GridY * nx + t.GridX, c0 = t.Anchor * no;
                double stride = 160.0 / output.Shape[2], aw = head.AnchorsPx[level][2 * t.Anchor], ah = head.AnchorsPx[level][2 * t.Anchor + 1];
                var o = hosts[level].Select(v => (double)v).ToArray();
                var g = grad.ToArray();
                var channels = new[] { 0, 1, 2, 3, 4, 5 + t.ClassId }.Select(c => (c0 + c) * plane + p).ToArray();
                foreach (int i in channels)
                {
                    const double h = 1e-4;
                    double keep = o[i];
                    o[i] = keep + h; double plus = Value(o, plane, nx, stride, aw, ah, t, r, score, no);
                    o[i] = keep - h; double minus = Value(o, plane, nx, stride, aw, ah, t, r, score, no);
                    o[i] = keep;
                    double fd = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(fd - g[i]) <= 1e-4 * Math.Max(1, Math.Abs(fd)), $"level {level} channel {i / plane}: seed {g[i]}, central difference {fd}");
                }
                Assert.Contains(channels.Take(4), i => Math.Abs(g[i]) > 1e-4); // the IoU part is there
                Assert.All(Enumerable.Range(0, g.Length).Except(channels), i => Assert.Equal(0f, g[i]));
            }
        }
        finally { foreach (var (_, s) in seeds) s.Dispose(); }
    }

    // YOLOv5's decode (the same formula as BoxSeeds.Decode, which is internal to Cam.Yolo).
    static Box BoxSeeds_Decode(float[] o, int c0, int p, int plane, int nx, float stride, float aw, float ah)
    {
        int gy = p / nx, gx = p % nx;
        double cx = (S(o[c0 * plane + p]) * 2 - 0.5 + gx) * stride, cy = (S(o[(c0 + 1) * plane + p]) * 2 - 0.5 + gy) * stride;
        double w = Math.Pow(S(o[(c0 + 2) * plane + p]) * 2, 2) * aw, h = Math.Pow(S(o[(c0 + 3) * plane + p]) * 2, 2) * ah;
        return new Box((float)(cx - w / 2), (float)(cy - h / 2), (float)(cx + w / 2), (float)(cy + h / 2));
    }
}
