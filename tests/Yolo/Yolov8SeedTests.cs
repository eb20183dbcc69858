using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Yolo;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// The YOLOv8 adapter seeds the class logits, past Detect's concatenation, to skip the box branch's backward. These
/// tests hold it to the score's definition (docs/cam.md) written out here on the concatenated output: the seed of
/// target k is ∂s_k/∂output, dense, [K, 4·reg_max + nc, h, w], from a host copy of the outputs — the cell's class
/// logit (or its confidence σ(z), whose derivative is σ(1 − σ)), or for box targets the IoU-weighted sum over every
/// prediction whose decoded box overlaps the detection's by IoU ≥ 0.1. Same maps at every default layer for every
/// score and region, to float rounding (the two seeds are equal; only the path through Detect differs).
/// </summary>
public class Yolov8SeedTests
{
    [Theory]
    [InlineData(CamScore.Logit, TargetRegion.Cell)]
    [InlineData(CamScore.Confidence, TargetRegion.Cell)]
    [InlineData(CamScore.Logit, TargetRegion.Box)]
    [InlineData(CamScore.Confidence, TargetRegion.Box)]
    public void ClassLogitSeedsGiveTheMapsOfTheDenseDefinition(CamScore score, TargetRegion region)
    {
        using var detector = Yolov8Detector.Load(TestDevice.Default, Path.Combine(Fixtures.Folder, "yolov8", "yolov8t.pt"));
        var adapter = new Yolov8CamAdapter(detector.Model);
        var dense = new DenseSeeds(adapter);
        var (input, info) = Letterbox.Apply(detector.Device, ImageLoader.Load(Path.Combine(YoloFixture.RepoRoot(), "samples", "bus.jpg")), 640);
        using (input)
        {
            var request = new CamRequest { Methods = [CamMethod.GradCam, CamMethod.LayerCam], Layers = adapter.DefaultLayers };
            YoloTargets Choose(Var[] outputs) => YoloTargets.FromDetections(detector.Postprocess(outputs, info).Take(5), score, region);
            using var got = CamEngine.Compute(adapter, input, Choose, request);
            using var want = CamEngine.Compute(dense, input, Choose, request);
            Assert.Equal(5, dense.Targets);
            foreach (var method in request.Methods)
                foreach (var layer in adapter.DefaultLayers)
                {
                    var g = got[method, layer].ToHost();
                    var w = want[method, layer].ToHost();
                    // a layer upstream of no target's level has all-zero maps on both sides: compared exactly
                    double scale = w.Maps.Max(m => m.Max());
                    if (layer == "model.15") Assert.True(scale > 0, $"{method} {layer}: all maps are zero"); // feeds every level
                    for (int k = 0; k < w.Maps.Length; k++)
                        for (int i = 0; i < w.Maps[k].Length; i++)
                            Assert.True(Math.Abs(g.Maps[k][i] - w.Maps[k][i]) <= 1e-5 * scale,
                                $"{method} {layer} target {k} pixel {i}: {g.Maps[k][i]} vs {w.Maps[k][i]}");
                }
        }
    }

    /// <summary>The adapter with its seeds replaced by the definition, on the concatenated Detect outputs.</summary>
    sealed class DenseSeeds(Yolov8CamAdapter inner) : ICamAdapter<YoloTargets>
    {
        int _inputHeight;

        public int Targets { get; private set; }

        public Var[] Forward(Var input)
        {
            _inputHeight = input.Shape[2];
            return inner.Forward(input);
        }

        public string NormalizeLayer(string name) => inner.NormalizeLayer(name);
        public string LayerHint => inner.LayerHint;
        public IReadOnlyList<string> DefaultLayers => inner.DefaultLayers;
        public IReadOnlyList<string> TargetLayers(Var[] outputs, YoloTargets targets) => inner.TargetLayers(outputs, targets);

        public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, YoloTargets targets)
        {
            Targets = targets.Count;
            int k = targets.Count, regMax = inner.Model.Head.RegMax;
            var seeds = new List<(Var, Tensor)>();
            for (int level = 0; level < outputs.Length; level++)
            {
                var o = outputs[level];
                int c = o.Shape[1], h = o.Shape[2], w = o.Shape[3], hw = h * w;
                var data = o.Value.ToArray();
                var seed = new double[k * c * hw];
                for (int i = 0; i < k; i++)
                {
                    var t = targets.Items[i];
                    if (t.Level != level) continue;
                    int channel = 4 * regMax + t.ClassId;
                    IEnumerable<(int Cell, double Weight)> cells = targets.Region == TargetRegion.Cell
                        ? [(t.GridY * w + t.GridX, 1.0)]
                        : Enumerable.Range(0, hw)
                            .Select(j => (j, MapMetrics.IoU(AnchorFreeDecoder.DecodeBox(data, regMax, hw, j / w, j % w, w, (float)_inputHeight / h), t.InputBox!.Value)))
                            .Where(p => p.Item2 >= BoxSeeds.MinIoU).ToArray();
                    foreach (var (cell, weight) in cells)
                    {
                        double z = data[channel * hw + cell], s = 1 / (1 + Math.Exp(-z));
                        seed[(i * c + channel) * hw + cell] += t.Scale * weight * (targets.Score == CamScore.Confidence ? s * (1 - s) : 1);
                    }
                }
                seeds.Add((o, Tensor.FromArray(o.Device, seed.Select(v => (float)v).ToArray(), [k, .. o.Shape])));
            }
            return seeds;
        }
    }
}
