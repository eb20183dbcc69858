using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cam;

/// <summary>Box targets' seeds (docs/cam.md, "Box targets") against a float64 reference written here from the
/// definition: s = Σ_j IoU(b_j, B)·score_j over the predictions of the target's level with IoU ≥ 0.1.</summary>
public class BoxSeedTests
{
    [Theory]
    [InlineData(CamScore.Logit)]
    [InlineData(CamScore.Objectness)]
    [InlineData(CamScore.Confidence)]
    public void SeedsAreTheGradientOfTheIoUWeightedScore(CamScore score)
    {
        using var x = CamFixture.Input();
        var adapter = new YoloCamAdapter(CamFixture.Model);
        var head = CamFixture.Model.Head;
        using var tape = new Tape();
        var outputs = adapter.Forward(Var.Input(x));
        var hosts = outputs.Select(o => o.Value.ToArray()).ToArray();
        // Each fixture target explained with its own decoded box (as a detection's box is), made a little larger.
        var cell = CamFixture.Targets(score);
        var targets = new YoloTargets(cell.Items.Select(t =>
        {
            var b = Decode(hosts[t.Level], outputs[t.Level].Shape, 160, t.Anchor * (head.Classes + 5), t.GridY * outputs[t.Level].Shape[3] + t.GridX, head.AnchorsPx[t.Level], t.Anchor);
            return t with { InputBox = new Box((float)b.X1 - 2, (float)b.Y1 - 2, (float)b.X2 + 2, (float)b.Y2 + 2) };
        }).ToArray(), score, TargetRegion.Box);
        var seeds = adapter.Seed(outputs, targets);
        try
        {
            Assert.Equal(3, seeds.Count); // one target per level
            int k = targets.Count, no = head.Classes + 5;
            foreach (var (output, grad) in seeds)
            {
                int level = Array.IndexOf(outputs, output);
                var o = hosts[level];
                int plane = output.Shape[2] * output.Shape[3], length = o.Length;
                var expected = new double[k * length];
                for (int i = 0; i < k; i++)
                {
                    var t = targets.Items[i];
                    if (t.Level != level) continue;
                    int entries = 0;
                    for (int a = 0; a < head.AnchorsPerLevel; a++)
                        for (int p = 0; p < plane; p++)
                        {
                            var b = Decode(o, output.Shape, 160, a * no, p, head.AnchorsPx[level], a);
                            double iou = IoU(b, t.InputBox!.Value);
                            if (iou < 0.1) continue;
                            entries++;
                            int obj = (a * no + 4) * plane + p, cls = (a * no + 5 + t.ClassId) * plane + p;
                            double so = S(o[obj]), sc = S(o[cls]);
                            if (score == CamScore.Logit) expected[i * length + cls] += iou;
                            else if (score == CamScore.Objectness) expected[i * length + obj] += iou;
                            else
                            {
                                expected[i * length + obj] += iou * so * (1 - so) * sc;
                                expected[i * length + cls] += iou * so * sc * (1 - sc);
                            }
                        }
                    Assert.True(entries > 1, $"target {i}: only {entries} predictions overlap its box");
                }
                var actual = grad.ToArray();
                double scale = expected.Max(Math.Abs);
                Check.Close(actual, expected, $"{score} level {level}", 1e-4, 1e-5 * scale);
            }
        }
        finally
        {
            foreach (var (_, s) in seeds) s.Dispose();
        }
    }

    static double S(double v) => 1 / (1 + Math.Exp(-v));

    static (double X1, double Y1, double X2, double Y2) Decode(float[] o, int[] shape, int inputHeight, int c0, int p, float[] anchors, int a)
    {
        int plane = shape[2] * shape[3], nx = shape[3];
        double stride = (double)inputHeight / shape[2];
        double cx = (S(o[c0 * plane + p]) * 2 - 0.5 + p % nx) * stride, cy = (S(o[(c0 + 1) * plane + p]) * 2 - 0.5 + p / nx) * stride;
        double w = Math.Pow(S(o[(c0 + 2) * plane + p]) * 2, 2) * anchors[2 * a], h = Math.Pow(S(o[(c0 + 3) * plane + p]) * 2, 2) * anchors[2 * a + 1];
        return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }

    static double IoU((double X1, double Y1, double X2, double Y2) a, Box b)
    {
        double iw = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1)), ih = Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
        double inter = iw * ih, union = (a.X2 - a.X1) * (a.Y2 - a.Y1) + (b.X2 - b.X1) * (b.Y2 - b.Y1) - inter;
        return inter / union;
    }
}
