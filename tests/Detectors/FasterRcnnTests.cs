using NativeCam.Autograd;
using NativeCam.Detectors;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Detectors;

/// <summary>
/// The tiny torchvision Faster R-CNN (tests/reference/detectors_reference.py) on bus.jpg against torchvision 0.14 in
/// float64, stage by stage: the transform's sizes and pixels, the FPN levels, the RPN proposals, RoIAlign, the class
/// logits and the detections (boxes, scores, labels, and the proposal each came from).
/// </summary>
public sealed class FasterRcnnTests
{
    sealed record Result(RcnnPass Pass, float[] Pooled, float[][] LevelSums);

    static readonly Lazy<Result> Reference = new(() =>
    {
        using var model = FasterRcnn.Load(TestDevice.Simd, DetectorFixture.StateDict, DetectorFixture.Options);
        using var tape = new Tape();
        var pass = model.Run(ImageLoader.Load(DetectorFixture.Bus));
        var pooled = pass.Pooled!.Value.ToArray();
        int per = pooled.Length / pass.RowOf.Length;
        var first4 = Enumerable.Range(0, 4).SelectMany(p => pooled.AsSpan(pass.RowOf[p] * per, per).ToArray()).ToArray();
        var sums = pass.Levels.Select(l =>
        {
            var v = l.Value.ToArray();
            int c = l.Shape[1], hw = l.Shape[2] * l.Shape[3];
            return Enumerable.Range(0, c).Select(ch => (float)v.AsSpan(ch * hw, hw).ToArray().Sum(x => (double)x)).ToArray();
        }).ToArray();
        return new Result(pass, first4, sums);
    });

    // Sizes exactly; the normalised, resized pixels to 1e-5 (a float32 bilinear against float64).
    [Fact]
    public void TransformResizesNormalisesAndPadsAsTorchvision()
    {
        var input = Reference.Value.Pass.Input;
        Assert.Equal(DetectorFixture.Ints("image"), new[] { input.OriginalH, input.OriginalW });
        Assert.Equal(DetectorFixture.Ints("resized"), new[] { input.ResizedH, input.ResizedW });
        Assert.Equal(DetectorFixture.Ints("padded"), new[] { input.PaddedH, input.PaddedW });
        var corner = DetectorFixture.Data("input_corner");
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 5; x++)
                    Assert.Equal(corner[(c * 4 + y) * 5 + x], input.Pixels[(c * input.PaddedH + y) * input.PaddedW + x], 1e-5);
        var sums = DetectorFixture.Data("input_sums");
        int plane = input.PaddedH * input.PaddedW;
        for (int c = 0; c < 3; c++)
        {
            double sum = input.Pixels.AsSpan(c * plane, plane).ToArray().Sum(v => (double)v);
            Assert.True(Math.Abs(sum - sums[c]) < 1e-6 * plane, $"channel {c}: sum {sum} vs torchvision {sums[c]}");
        }
    }

    // Per-channel sums of every FPN level (P2–P6) to 1e-4 of the level's largest sum.
    [Fact]
    public void FpnLevelsMatchTorchvision()
    {
        var expected = DetectorFixture.Json.GetProperty("feature_sums");
        string[] keys = ["0", "1", "2", "3", "pool"];
        for (int l = 0; l < keys.Length; l++)
        {
            var want = DetectorFixture.Data(expected.GetProperty(keys[l]));
            double scale = want.Max(Math.Abs);
            Check.Close(Reference.Value.LevelSums[l], want, $"FPN level {keys[l]} channel sums", 0, 1e-4 * scale);
        }
    }

    // The RPN's 24 proposals (resized-image pixels), in torchvision's order, to 1e-3 px.
    [Fact]
    public void RpnProposalsMatchTorchvision()
    {
        var want = DetectorFixture.Data("proposals");
        Assert.Equal(want.Length, Reference.Value.Pass.Proposals.Length);
        Check.Close(Reference.Value.Pass.Proposals, want, "RPN proposals", 0, 1e-3);
    }

    // RoIAlign of the first four proposals (each on its mapped FPN level) and every proposal's class logits, to 1e-4 of their scale.
    [Fact]
    public void RoiAlignAndClassLogitsMatchTorchvision()
    {
        var pooled = DetectorFixture.Data("roi_align_first4");
        Check.Close(Reference.Value.Pooled, pooled, "MultiScaleRoIAlign output", 0, 1e-4 * pooled.Max(Math.Abs));
        var logits = DetectorFixture.Data("class_logits");
        Check.Close(Reference.Value.Pass.HostLogits, logits, "class logits", 0, 1e-4 * logits.Max(Math.Abs));
    }

    // Detections: labels and source proposals exactly, scores to 1e-4, boxes (original-image pixels) to 1e-3 px.
    [Fact]
    public void DetectionsMatchTorchvision()
    {
        var dets = Reference.Value.Pass.Detections;
        Assert.Equal(DetectorFixture.Ints("labels"), dets.Select(d => d.Label).ToArray());
        Assert.Equal(DetectorFixture.Ints("proposal_of_detection"), dets.Select(d => d.Proposal).ToArray());
        Check.Close(dets.Select(d => d.Score).ToArray(), DetectorFixture.Data("scores"), "scores", 0, 1e-4);
        Check.Close(dets.SelectMany(d => new[] { d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2 }).ToArray(), DetectorFixture.Data("boxes"), "boxes", 0, 1e-3);
    }

    // A training checkpoint {'model': state_dict, 'epoch': 3} reads as the same model.
    [Fact]
    public void TrainingCheckpointGivesTheSameDetections()
    {
        using var model = FasterRcnn.Load(TestDevice.Simd, DetectorFixture.TrainingCheckpoint, DetectorFixture.Options);
        var dets = model.Detect(ImageLoader.Load(DetectorFixture.Bus));
        Assert.Equal(Reference.Value.Pass.Detections, dets);
    }
}
