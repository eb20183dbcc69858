using System.Text.Json;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Tensors;
using NativeCam.Tests.Yolo;
using NativeCam.Yolo;

namespace NativeCam.Tests.Cam;

/// <summary>
/// The reference maps written by tests/reference/cam_reference.py (float64 PyTorch) for yolov5n on the 160×128
/// fixture input and its three targets (one class logit per Detect level), plus one shared model and one
/// K = 3 computation of every method at the three layers that the fixture tests read.
/// </summary>
public static class CamFixture
{
    public static readonly string[] Layers = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"];

    /// <summary>The methods the YOLO fixture holds (Grad-CAM element-wise and the original CAM came later and are checked
    /// against pytorch-grad-cam on the classifiers; the original CAM needs a GAP → Linear head, which YOLO has not; Score-CAM and
    /// Ablation-CAM have no pytorch-grad-cam reference on YOLO: YoloPerturbationTests checks their scores and batching).</summary>
    public static readonly CamMethod[] AllMethods = Enum.GetValues<CamMethod>()
        .Where(m => m is not (CamMethod.GradCamElementWise or CamMethod.Cam or CamMethod.ScoreCam or CamMethod.AblationCam
            or CamMethod.FullGrad or CamMethod.IntegratedGradients or CamMethod.SmoothGrad)).ToArray(); // the last three: input space (tests/Cam/Methods)

    static Device D => TestDevice.Default;

    static readonly Lazy<YoloModel> _model = new(() => YoloModel.Build(D, YoloCheckpoint.Load(YoloFixture.Weights)));
    static readonly Lazy<JsonElement> _json = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "yolov5n_cam.json")));
        return doc.RootElement.Clone();
    });
    static readonly Lazy<Host> _all = new(() =>
    {
        using var x = Input();
        using var r = new YoloCam(Model).Compute(x, Targets(), new CamRequest { Methods = AllMethods, Layers = Layers, Guided = true });
        return new Host(r.ToHost(), r.GuidedBackprop!.ToArray(), r.GuidedGradCam["model.17.cv3.act"].ToArray(), r.TargetLayers.ToArray());
    });

    public static string Folder => Path.Combine(Fixtures.Folder, "cam");
    public static YoloModel Model => _model.Value;

    /// <summary>The fixture input [1, 3, 160, 128] on the test device (the caller disposes it).</summary>
    public static Tensor Input()
    {
        var (data, shape) = YoloFixture.Array("yolov5n_input");
        return Tensor.FromArray(D, data, shape);
    }

    /// <summary>The fixture's three targets (level 0, 1, 2).</summary>
    public static YoloTargets Targets(CamScore score = CamScore.Logit) => new(
        _json.Value.GetProperty("targets").EnumerateArray().Select(t => new YoloTarget(
            t.GetProperty("level").GetInt32(), t.GetProperty("anchor").GetInt32(), t.GetProperty("y").GetInt32(),
            t.GetProperty("x").GetInt32(), t.GetProperty("class").GetInt32())).ToArray(), score);

    /// <summary>Expected maps [K or 1, h, w] under key "Method/layer".</summary>
    public static (double[] Data, int[] Shape) Expected(string key)
    {
        var e = _json.Value.GetProperty("maps").GetProperty(key);
        return (e.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray());
    }

    /// <summary>The shared K = 3 result of all methods at all three layers, with guided backprop, on the host.</summary>
    public static Host All => _all.Value;

    public sealed record Host(IReadOnlyList<HostCamMap> Maps, float[] Guided, float[] GuidedGradCam17, string[] TargetLayers)
    {
        public HostCamMap Get(CamMethod m, string layer) => Maps.Single(x => x.Method == m && x.Layer == layer);
    }

    /// <summary>
    /// Each target's map against the reference: 1e-3 of the reference map's largest value (the bar; the
    /// float32 forward and backward agree with float64 to ~1e-4 of scale, and a map sums C such products). A
    /// reference map that is all zero (no gradient path) must be exactly zero.
    /// </summary>
    public static void CheckMaps(HostCamMap actual, double[] expected, int expectedTargets, string what, double rel = 1e-3)
    {
        int n = actual.Height * actual.Width;
        Xunit.Assert.Equal(expectedTargets * n, expected.Length);
        for (int k = 0; k < expectedTargets; k++)
        {
            var e = expected.AsSpan(k * n, n).ToArray();
            double scale = e.Max(Math.Abs);
            var a = actual.Maps[k];
            Xunit.Assert.All(a, v => Xunit.Assert.False(float.IsNaN(v), $"{what} target {k}: NaN"));
            if (scale == 0)
            {
                Xunit.Assert.All(a, v => Xunit.Assert.Equal(0f, v));
                Xunit.Assert.True(actual.Empty(k), $"{what} target {k}: a zero map must be Empty");
            }
            else Check.Close(a, e, $"{what} target {k}", rel, rel * scale);
        }
    }
}
