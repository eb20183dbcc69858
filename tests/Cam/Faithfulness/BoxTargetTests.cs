using NativeCam.Cam;
using NativeCam.Imaging;
using Xunit;
using static NativeCam.Tests.Cam.Faithfulness.MetricsFixture;

namespace NativeCam.Tests.Cam.Faithfulness;

/// <summary>
/// The box targets' shared math against pytorch-grad-cam 1.5.5 itself (tests/reference/metrics_reference.py):
/// <c>renormalize_cam_in_bounding_boxes</c> of its Faster R-CNN tutorial (executed from the tutorial, drawing stubbed
/// out) and <c>FasterRCNNBoxScoreTarget</c>'s value and autograd gradient on a torchvision-style output.
/// </summary>
public class BoxTargetTests
{
    static (float[] Map, (int, int, int, int)[] Boxes) RenormalizeCase()
    {
        var s = Section("renormalize");
        var boxes = s.GetProperty("boxes").EnumerateArray().Select(b => Ints(b)).Select(b => (b[0], b[1], b[2], b[3])).ToArray();
        return (Floats(s.GetProperty("map")), boxes);
    }

    [Theory]
    [InlineData(BoxRenormalization.Mode.Rows, "rows")]
    [InlineData(BoxRenormalization.Mode.Box, "box")]
    public void Renormalize_matches_pytorch_grad_cam(BoxRenormalization.Mode mode, string key)
    {
        var (map, boxes) = RenormalizeCase();
        var expected = Floats(Section("renormalize").GetProperty(key));
        var actual = BoxRenormalization.Apply(map, 64, 64, boxes, mode);
        // Same float32 operations in the same order: equal to float32 rounding (1e-6 of the [0, 1] scale).
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"pixel {i}: {actual[i]} vs {expected[i]}");
        Assert.Contains(actual, v => v > 0.99f);
        Assert.Equal(0f, actual[45 * 64 + 63]); // (x 63, y 45) lies in no box
    }

    [Fact]
    public void Renormalize_without_boxes_or_with_empty_boxes_is_zero()
    {
        var (map, _) = RenormalizeCase();
        Assert.All(BoxRenormalization.Apply(map, 64, 64, []), v => Assert.Equal(0f, v));
        Assert.All(BoxRenormalization.Apply(map, 64, 64, [(10, 10, 10, 20), (70, 0, 90, 10)]), v => Assert.Equal(0f, v));
    }

    static (Box[] Boxes, int[] Labels, double[] Scores, Box[] Refs, int[] RefLabels) ScoreCase()
    {
        var s = Section("box_score");
        static Box[] Boxes(double[] d) => Enumerable.Range(0, d.Length / 4).Select(i => new Box((float)d[4 * i], (float)d[4 * i + 1], (float)d[4 * i + 2], (float)d[4 * i + 3])).ToArray();
        return (Boxes(Array(s.GetProperty("boxes")).Data), Ints(s.GetProperty("labels")), Array(s.GetProperty("scores")).Data,
            Boxes(s.GetProperty("refs").EnumerateArray().SelectMany(Doubles).ToArray()), Ints(s.GetProperty("ref_labels")));
    }

    [Fact]
    public void Box_score_target_value_and_gradient_match_pytorch_grad_cam()
    {
        var s = Section("box_score");
        var (boxes, labels, scores, refs, refLabels) = ScoreCase();
        // The references are float64 in the fixture and float32 here: their IoUs differ by ~1e-7.
        Assert.Equal(s.GetProperty("value").GetDouble(), BoxMatchScore.Value(refs, refLabels, boxes, labels, scores), 6);
        Assert.Equal([0, -1, 3, -1], BoxMatchScore.Matches(refs, refLabels, boxes, labels)); // wrong label, too far: unmatched
        var (gb, gs) = BoxMatchScore.Gradient(refs, refLabels, boxes, labels);
        Assert.Equal(Array(s.GetProperty("grad_scores")).Data, gs);
        var expected = Array(s.GetProperty("grad_boxes")).Data;
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - gb[i]) <= 1e-6, $"d/dbox[{i}]: {gb[i]} vs {expected[i]}");
        Assert.Contains(gb, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void Iou_gradient_matches_central_differences_and_splits_ties()
    {
        var r = new Box(10, 12, 40, 35);
        foreach (var p in new[] { new Box(14, 8, 45, 30), new Box(5, 15, 33, 50), new Box(20, 20, 30, 30) })
        {
            var g = BoxMatchScore.IoUGradient(r, p);
            float[] c = [p.X1, p.Y1, p.X2, p.Y2];
            for (int i = 0; i < 4; i++)
            {
                const double h = 1e-3;
                var plus = (float[])c.Clone(); plus[i] += (float)h;
                var minus = (float[])c.Clone(); minus[i] -= (float)h;
                double fd = (BoxMatchScore.IoU(r, new Box(plus[0], plus[1], plus[2], plus[3])) - BoxMatchScore.IoU(r, new Box(minus[0], minus[1], minus[2], minus[3])))
                    / ((double)plus[i] - minus[i]);
                Assert.True(Math.Abs(fd - g[i]) <= 1e-5, $"{p} coordinate {i}: {g[i]} vs {fd}");
            }
        }
        // A box equal to the reference: each edge is a tie, PyTorch's max/min give each side half the gradient, and
        // then the intersection's and the union's terms cancel: ½·h·(2A/A²) − h·(A/A²) = 0 (IoU is at its maximum).
        Assert.All(BoxMatchScore.IoUGradient(r, r), g => Assert.Equal(0, g, 12));
    }
}
