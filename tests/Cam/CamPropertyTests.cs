using NativeCam.Autograd;
using NativeCam.Cam.Yolo;
using NativeCam.Cam;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cam;

/// <summary>Properties every CAM must have, the K-target sweep, layer auto and the Python-style API.</summary>
public class CamPropertyTests
{
    static readonly CamMethod[] GradientMethods = CamFixture.AllMethods.Where(m => m != CamMethod.EigenCam).ToArray();

    [Fact]
    public void OneSweepForKTargetsEqualsOneSweepPerTarget()
    {
        using var x = CamFixture.Input();
        var cam = new YoloCam(CamFixture.Model);
        var request = new CamRequest { Methods = CamFixture.AllMethods, Layers = CamFixture.Layers, Guided = true };
        var all = CamFixture.All;
        for (int k = 0; k < 3; k++)
        {
            using var single = cam.Compute(x, CamFixture.Targets().Subset(k), request);
            foreach (var m in single.Maps)
            {
                var one = m.ToHost();
                var swept = all.Get(m.Method, m.Layer);
                // Same arithmetic per target, up to the summation order inside batched kernels: 1e-6.
                Check.Close(one.Maps[0], swept.Maps[k].Select(v => (double)v).ToArray(), $"{m.Method} {m.Layer} target {k}", 1e-6, 1e-6 * Math.Max(1e-30, swept.Max[k]));
            }
            int n = 3 * 160 * 128;
            var gb = single.GuidedBackprop!.ToArray();
            double scale = all.Guided.AsSpan(k * n, n).ToArray().Max(v => Math.Abs((double)v));
            Check.Close(gb, all.Guided.AsSpan(k * n, n).ToArray().Select(v => (double)v).ToArray(), $"guided target {k}", 1e-6, 1e-6 * scale);
        }
    }

    [Fact]
    public void GradCamIsInvariantToScalingTheScore()
    {
        using var x = CamFixture.Input();
        var cam = new YoloCam(CamFixture.Model);
        var baseTargets = CamFixture.Targets();
        var scaled = new YoloTargets(baseTargets.Items.Select(t => t with { Scale = 7.5f }).ToArray());
        using var a = cam.Compute(x, baseTargets, new CamRequest { Layers = CamFixture.Layers });
        using var b = cam.Compute(x, scaled, new CamRequest { Layers = CamFixture.Layers });
        foreach (var layer in CamFixture.Layers)
        {
            var ha = a[CamMethod.GradCam, layer].ToHost();
            var hb = b[CamMethod.GradCam, layer].ToHost();
            for (int k = 0; k < 3; k++)
            {
                if (ha.Empty(k)) { Assert.True(hb.Empty(k)); continue; }
                // Raw maps scale with the score; the min-max normalised maps a renderer shows are identical.
                Check.Close(hb.Maps[k], ha.Maps[k].Select(v => 7.5 * v).ToArray(), $"scaled raw {layer} {k}", 1e-5, 1e-6 * 7.5 * ha.Max[k]);
                Check.Close(Normalised(hb, k), Normalised(ha, k).Select(v => (double)v).ToArray(), $"normalised {layer} {k}", 1e-5, 1e-6);
            }
        }
    }

    static float[] Normalised(HostCamMap m, int k) => m.Maps[k].Select(v => (v - m.Min[k]) / (m.Max[k] - m.Min[k])).ToArray();

    [Fact]
    public void MapsAreNonNegativeAndFinite()
    {
        foreach (var m in CamFixture.All.Maps)
            for (int k = 0; k < m.Maps.Length; k++)
                Assert.All(m.Maps[k], v => Assert.True(v >= 0 && float.IsFinite(v), $"{m.Method} {m.Layer} target {k}: {v}"));
    }

    [Fact]
    public void ALayerTheTargetDoesNotReachGivesEmptyZeroMapsNotNaN()
    {
        // Target 0 is on level 0 (stride 8): model.23 feeds only level 2, so its gradient there is zero.
        foreach (var method in GradientMethods)
        {
            var m = CamFixture.All.Get(method, "model.23.cv3.act");
            Assert.All(m.Maps[0], v => Assert.Equal(0f, v));
            Assert.True(m.Empty(0), $"{method}: target 0 at model.23 must be Empty");
            Assert.Equal(0f, m.Min[0]);
            Assert.Equal(0f, m.Max[0]);
            Assert.False(m.Empty(2), $"{method}: target 2 at model.23 must not be Empty");
        }
    }

    [Fact]
    public void AutoPicksTheLayerFeedingEachTargetsDetectLevel()
    {
        Assert.Equal(["model.17", "model.20", "model.23"], CamFixture.All.TargetLayers);
        using var x = CamFixture.Input();
        using var r = new YoloCam(CamFixture.Model).Compute(x, CamFixture.Targets().Subset(2, 0));
        Assert.Equal(["model.17", "model.23"], r.Maps.Select(m => m.Layer).Order().ToArray());
        Assert.Equal(["model.23", "model.17"], r.TargetLayers);
        // model.17 is model.17.cv3.act under another name: the same maps as the fixture's.
        var viaAuto = r[CamMethod.GradCam, "model.17"].ToHost();
        var viaName = CamFixture.All.Get(CamMethod.GradCam, "model.17.cv3.act");
        Check.Close(viaAuto.Maps[1], viaName.Maps[0].Select(v => (double)v).ToArray(), "auto model.17", 1e-6, 1e-9);
    }

    [Fact]
    public void PythonStyleApiWithSeedToolLayerNames()
    {
        using var x = CamFixture.Input();
        var cam = new GradCam(CamFixture.Model, "model_17_cv3_act", "model_20_cv3_act", "model_23_cv3_act");
        using var maps = cam.Compute(x, CamFixture.Targets());
        Assert.Equal(3, maps.Maps.Count);
        foreach (var layer in CamFixture.Layers)
            Assert.Equal(CamFixture.All.Get(CamMethod.GradCam, layer).Maps, maps[CamMethod.GradCam, layer].ToHost().Maps);
        Assert.Throws<ArgumentException>(() => new HiResCam(CamFixture.Model, "model.99").Compute(x, CamFixture.Targets()));
    }

    [Fact]
    public void DetectionsBecomeTargetsAtTheirOwnCell()
    {
        using var x = CamFixture.Input();
        List<Detection> detections;
        using (var tape = new Tape())
        {
            var outs = CamFixture.Model.Forward(Var.Input(x));
            detections = Postprocess.Run(DetectHead.YoloV5(), outs.Select(o => DetectOutput.FromTensor(o.Value)).ToArray(), 160, 128, 160, 128);
        }
        Assert.NotEmpty(detections);
        var targets = YoloTargets.FromDetections(detections);
        using var r = new YoloCam(CamFixture.Model).Compute(x, targets);
        for (int k = 0; k < detections.Count; k++)
        {
            var d = detections[k];
            Assert.Equal(d.ClassChannel, targets.Items[k].Anchor * 85 + 5 + targets.Items[k].ClassId);
            Assert.Equal($"model.{CamFixture.Model.Layers[^1].From[d.Level]}", r.TargetLayers[k]);
            var own = r[CamMethod.GradCam, r.TargetLayers[k]].ToHost();
            Assert.False(own.Empty(k), $"detection {k} ({d.ClassId} on level {d.Level}) has an empty map at its own layer");
        }
    }

    [Fact]
    public void EigenCamAloneRunsWithoutABackwardSweep()
    {
        using var x = CamFixture.Input();
        using var r = new EigenCam(CamFixture.Model, CamFixture.Layers).Compute(x, CamFixture.Targets());
        foreach (var layer in CamFixture.Layers)
            Assert.Equal(CamFixture.All.Get(CamMethod.EigenCam, layer).Maps, r[CamMethod.EigenCam, layer].ToHost().Maps);
    }

    [Fact]
    public void FeatureGridOfAModelLayerShowsItsNormalisedChannels()
    {
        using var x = CamFixture.Input();
        using var grid = new YoloCam(CamFixture.Model).FeatureGrid(x, "model_17_cv3_act", 9);
        Assert.Equal([3 * 20, 3 * 16], grid.Shape);
        var g = grid.ToArray();
        // Cell (1, 2) is channel 5: PyTorch's activation, min-max normalised (1e-3: the activation's own tolerance
        // is 1e-4 of its scale, and normalising divides by the channel's range).
        var (act, _) = Yolo.YoloFixture.Array("yolov5n_act_model_17_cv3_act");
        var channel = act.AsSpan(5 * 320, 320).ToArray();
        float lo = channel.Min(), hi = channel.Max();
        var expected = channel.Select(v => (double)(v - lo) / (hi - lo)).ToArray();
        var cell = new float[320];
        for (int y = 0; y < 20; y++)
            for (int xx = 0; xx < 16; xx++) cell[y * 16 + xx] = g[(20 + y) * 48 + 32 + xx];
        Check.Close(cell, expected, "grid cell of channel 5", 1e-3, 1e-3);
        Assert.All(g, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void EmptyTargetListAndBadTargetsAreRefused()
    {
        using var x = CamFixture.Input();
        var cam = new YoloCam(CamFixture.Model);
        Assert.Throws<ArgumentException>(() => cam.Compute(x, new YoloTargets([])));
        Assert.Throws<ArgumentException>(() => cam.Compute(x, new YoloTargets([new YoloTarget(3, 0, 0, 0, 0)])));
        Assert.Throws<ArgumentException>(() => cam.Compute(x, new YoloTargets([new YoloTarget(0, 0, 99, 0, 0)])));
    }
}
