using NativeCam.Cam.Vit;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Cam.Vit;

/// <summary>
/// The ViT explanation kernels against tests/reference/vit_explain_reference.py (float64, our corrected formulas on
/// seeded random softmax attentions), plus properties and hand-made cases for the discard rule.
/// </summary>
public class VitExplainTests
{
    const string File = "cam/vit_explain.json";

    // float32 kernels on values in [0, 1] through at most 3 small products: 1e-5 is the task's bar.
    const double Tol = 1e-5;

    static Device D => TestDevice.Default;
    static IlgpuVitKernels K => IlgpuVitKernels.For(D);

    public static IEnumerable<object[]> Cases => Fixtures.Names(File);

    static Tensor Dev(FixtureArray a) => Tensor.FromArray(D, a.Data.Select(v => (float)v).ToArray(), a.Shape);

    /// <summary>The case's attentions [H, T, T] and gradients [K, H, T, T] per layer, on the device.</summary>
    sealed class Layers : IDisposable
    {
        public readonly List<Tensor> Attentions = [], Gradients = [];
        public readonly int Tokens, Targets;

        public Layers(FixtureCase c)
        {
            for (int l = 0; l < c.Int("layers"); l++)
            {
                Attentions.Add(Dev(c.Inputs[$"attention{l}"]));
                Gradients.Add(Dev(c.Inputs[$"gradient{l}"]));
            }
            Tokens = c.Int("tokens");
            Targets = c.Int("targets");
        }

        public void Dispose()
        {
            foreach (var t in Attentions.Concat(Gradients)) t.Dispose();
        }
    }

    static string Ratio(double r) => r == 0 ? "0.0" : "0.9";

    [Theory]
    [MemberData(nameof(Cases))]
    public void AttentionRolloutMatchesReference(string name)
    {
        var c = Fixtures.Case(File, name);
        using var layers = new Layers(c);
        int t = layers.Tokens;
        foreach (var fusion in Enum.GetValues<HeadFusion>())
            foreach (double ratio in new[] { 0, 0.9 })
            {
                string key = $"rollout_{fusion.ToString().ToLowerInvariant()}_{Ratio(ratio)}";
                using var hat = Tensor.Empty(D, 1, t, t);
                K.FuseHeads(layers.Attentions[0], fusion, hat);
                K.DiscardAndNormalise(hat, t, ratio);
                Check.Close(hat.ToArray(), c.Outputs[key + "_hat0"].Data, $"{name} {key} layer 0 Â", Tol, Tol);
                using var r = Tensor.Empty(D, 1, t, t);
                K.AttentionRollout(layers.Attentions, fusion, ratio, r);
                Check.Close(r.ToArray(), c.Outputs[key].Data, $"{name} {key}", Tol, Tol);
                using var rowOfR = Tensor.Empty(D, c.Outputs[key + "_map"].Shape);
                K.ClassTokenMap(r, t, rowOfR); // the full product's class row, vs the vector path VitExplain takes
                Check.Close(rowOfR.ToArray(), c.Outputs[key + "_map"].Data, $"{name} {key} class row of R", Tol, Tol);
                using var map = VitExplain.AttentionRollout(layers.Attentions, fusion, ratio);
                Assert.Equal(c.Outputs[key + "_map"].Shape, map.Shape);
                Check.Close(map.ToArray(), c.Outputs[key + "_map"].Data, $"{name} {key} map", Tol, Tol);
            }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientRolloutMatchesReference(string name)
    {
        var c = Fixtures.Case(File, name);
        using var layers = new Layers(c);
        int t = layers.Tokens, k = layers.Targets;
        foreach (double ratio in new[] { 0, 0.9 })
        {
            string key = $"grad_rollout_{Ratio(ratio)}";
            using var r = Tensor.Empty(D, k, t, t);
            K.GradientRollout(layers.Attentions, layers.Gradients, ratio, r);
            Check.Close(r.ToArray(), c.Outputs[key].Data, $"{name} {key}", Tol, Tol);
            using var rowOfR = Tensor.Empty(D, c.Outputs[key + "_map"].Shape);
            K.ClassTokenMap(r, t, rowOfR);
            Check.Close(rowOfR.ToArray(), c.Outputs[key + "_map"].Data, $"{name} {key} class row of R", Tol, Tol);
            using var map = VitExplain.GradientRollout(layers.Attentions, layers.Gradients, ratio);
            Assert.Equal(c.Outputs[key + "_map"].Shape, map.Shape);
            Check.Close(map.ToArray(), c.Outputs[key + "_map"].Data, $"{name} {key} map", Tol, Tol);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TokenGradCamMatchesReference(string name)
    {
        var c = Fixtures.Case(File, name);
        using var x = Dev(c.Inputs["tokens"]);
        using var g = Dev(c.Inputs["token_gradient"]);
        using var map = VitExplain.GradCam(x, g);
        Assert.Equal(c.Outputs["token_gradcam"].Shape, map.Shape);
        Check.Close(map.ToArray(), c.Outputs["token_gradcam"].Data, $"{name} token Grad-CAM", Tol, Tol);
    }

    static void RowsSumToOne(float[] r, int tokens, string what)
    {
        Assert.All(r, v => Assert.False(float.IsNaN(v), $"{what}: NaN"));
        for (int row = 0; row < r.Length / tokens; row++)
            Assert.True(Math.Abs(r.AsSpan(row * tokens, tokens).ToArray().Sum() - 1) < 1e-5, $"{what}: row {row} does not sum to 1");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RolloutRowsSumToOneBeforeTheClassTokenSlice(string name)
    {
        using var layers = new Layers(Fixtures.Case(File, name));
        int t = layers.Tokens, k = layers.Targets;
        foreach (var fusion in Enum.GetValues<HeadFusion>())
            foreach (double ratio in new[] { 0, 0.5, 0.9, 1 })
            {
                using var r = Tensor.Empty(D, 1, t, t);
                K.AttentionRollout(layers.Attentions, fusion, ratio, r);
                RowsSumToOne(r.ToArray(), t, $"{name} {fusion} rollout, discard {ratio}");
            }
        using var gr = Tensor.Empty(D, k, t, t);
        K.GradientRollout(layers.Attentions, layers.Gradients, 0.9f, gr);
        RowsSumToOne(gr.ToArray(), t, $"{name} gradient rollout");
    }

    static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    // "Differ" means well above float32 noise (~1e-7 here): with peaky heads (the T = 10 case) the min fusion leaves
    // only tiny off-diagonal values, and discarding them moves the map by just 4e-5.
    const double Differ = 1e-6;

    [Theory]
    [MemberData(nameof(Cases))]
    public void DiscardRatioAndHeadFusionChangeTheMap(string name)
    {
        using var layers = new Layers(Fixtures.Case(File, name));
        var maps = new Dictionary<(HeadFusion, double), float[]>();
        foreach (var fusion in Enum.GetValues<HeadFusion>())
            foreach (double ratio in new[] { 0, 0.9 })
            {
                using var map = VitExplain.AttentionRollout(layers.Attentions, fusion, ratio);
                maps[(fusion, ratio)] = map.ToArray();
            }
        foreach (var fusion in Enum.GetValues<HeadFusion>())
            Assert.True(MaxDifference(maps[(fusion, 0.0)], maps[(fusion, 0.9)]) > Differ, $"{fusion}: discard 0 and 0.9 agree");
        foreach (double ratio in new[] { 0, 0.9 })
        {
            Assert.True(MaxDifference(maps[(HeadFusion.Mean, ratio)], maps[(HeadFusion.Max, ratio)]) > Differ, $"mean and max agree at {ratio}");
            Assert.True(MaxDifference(maps[(HeadFusion.Mean, ratio)], maps[(HeadFusion.Min, ratio)]) > Differ, $"mean and min agree at {ratio}");
            Assert.True(MaxDifference(maps[(HeadFusion.Max, ratio)], maps[(HeadFusion.Min, ratio)]) > Differ, $"max and min agree at {ratio}");
        }
        using var g0 = VitExplain.GradientRollout(layers.Attentions, layers.Gradients, 0);
        using var g9 = VitExplain.GradientRollout(layers.Attentions, layers.Gradients, 0.9);
        Assert.True(MaxDifference(g0.ToArray(), g9.ToArray()) > Differ, "gradient rollout: discard 0 and 0.9 agree");
    }

    [Fact]
    public void GradientRolloutOfAZeroGradientIsAZeroMap()
    {
        using var layers = new Layers(Fixtures.Case(File, Fixtures.Load(File)[0].Name));
        var zeros = layers.Gradients.Select(g => Tensor.Zeros(D, g.Shape)).ToList();
        try
        {
            foreach (double ratio in new[] { 0, 0.9 })
            {
                int t = layers.Tokens, k = layers.Targets;
                using var r = Tensor.Empty(D, k, t, t);
                K.GradientRollout(layers.Attentions, zeros, ratio, r);
                var rv = r.ToArray();
                for (int i = 0; i < rv.Length; i++) Assert.Equal(i % (t * t) / t == i % t ? 1f : 0f, rv[i]); // R = I
                using var map = VitExplain.GradientRollout(layers.Attentions, zeros, ratio);
                Assert.All(map.ToArray(), v => Assert.Equal(0f, v));
            }
        }
        finally
        {
            foreach (var z in zeros) z.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneSweepOfKTargetsEqualsKSeparateSweeps(string name)
    {
        var c = Fixtures.Case(File, name);
        using var layers = new Layers(c);
        int t = layers.Tokens, k = layers.Targets, plane = t * t;
        using var all = VitExplain.GradientRollout(layers.Attentions, layers.Gradients, 0.9);
        using var x = Dev(c.Inputs["tokens"]);
        using var gx = Dev(c.Inputs["token_gradient"]);
        using var cams = VitExplain.GradCam(x, gx);
        int heads = layers.Attentions[0].Shape[0], channels = x.Shape[1], pixels = all.Length / k;
        for (int target = 0; target < k; target++)
        {
            var one = layers.Gradients.Select(g => g.Slice(target * heads * plane, 1, heads, t, t)).ToList();
            try
            {
                using var map = VitExplain.GradientRollout(layers.Attentions, one, 0.9);
                Check.Close(map.ToArray(), all.ToArray().AsSpan(target * pixels, pixels).ToArray(), $"{name} target {target}", 1e-6, 1e-7);
            }
            finally
            {
                foreach (var g in one) g.Dispose();
            }
            using var g1 = gx.Slice(target * t * channels, 1, t, channels);
            using var cam = VitExplain.GradCam(x, g1);
            Check.Close(cam.ToArray(), cams.ToArray().AsSpan(target * pixels, pixels).ToArray(), $"{name} Grad-CAM target {target}", 1e-6, 1e-7);
        }
    }

    /// <summary>Â from a hand-made fused [T, T] matrix: zero the given flat entries, add I, normalise rows.</summary>
    static double[] Expected(float[] f, int t, IEnumerable<int> zeroed)
    {
        var a = f.Select(v => (double)v).ToArray();
        foreach (int p in zeroed) a[p] = 0;
        for (int i = 0; i < t; i++)
        {
            a[i * t + i] += 1;
            double sum = a.AsSpan(i * t, t).ToArray().Sum();
            for (int j = 0; j < t; j++) a[i * t + j] /= sum;
        }
        return a;
    }

    [Fact]
    public void DiscardKeepsTheClassTokenRowAndColumn()
    {
        // T = 5: the class row and column hold the 9 smallest values (0.001..0.009), the patch block 16 values ≥ 1
        // (distinct). Ratio 0.4 drops the m = 10 lowest: the 9 class entries, which we keep, and the smallest patch
        // entry (flat 24, value 1), the only one zeroed.
        const int t = 5;
        var f = new float[t * t];
        int small = 1, large = 16;
        for (int p = 0; p < f.Length; p++) f[p] = p / t == 0 || p % t == 0 ? 0.001f * small++ : large--;
        using var hat = Tensor.FromArray(D, f, 1, t, t);
        K.DiscardAndNormalise(hat, t, 0.4);
        Check.Close(hat.ToArray(), Expected(f, t, [24]), "class token kept", 1e-6, 1e-7);
    }

    [Fact]
    public void DiscardBreaksTiesByFlatIndex()
    {
        // All 25 entries equal: ratio 0.5 drops the first m = 12 in flat order, minus the class row and column:
        // flat 6, 7, 8, 9 (row 1) and 11 (row 2; 10 is column 0).
        const int t = 5;
        var f = Enumerable.Repeat(0.25f, t * t).ToArray();
        using var hat = Tensor.FromArray(D, f, 1, t, t);
        K.DiscardAndNormalise(hat, t, 0.5);
        Check.Close(hat.ToArray(), Expected(f, t, [6, 7, 8, 9, 11]), "ties", 1e-6, 1e-7);
        // Ratio 0 changes nothing but the identity and the row normalisation.
        using var none = Tensor.FromArray(D, f, 1, t, t);
        K.DiscardAndNormalise(none, t, 0);
        Check.Close(none.ToArray(), Expected(f, t, []), "ratio 0", 1e-6, 1e-7);
    }

    [Fact]
    public void DiscardMatchesAStableSortOnMatricesWithManyTies()
    {
        // Values from a small set (zeros, repeats, tiny and large magnitudes) so that τ often has ties and the radix
        // select's bins fill unevenly; the host reference is a stable sort (ascending value, then flat index).
        var rng = new Random(11);
        float[] pool = [0f, 1e-30f, 1e-7f, 0.125f, 0.125f, 0.5f, 1f, 3f, 1e20f];
        foreach (int t in new[] { 2, 5, 10 })
            foreach (double ratio in new[] { 0.1, 0.37, 0.5, 0.9, 1 })
            {
                const int k = 3;
                var f = Enumerable.Range(0, k * t * t).Select(_ => pool[rng.Next(pool.Length)]).ToArray();
                using var hat = Tensor.FromArray(D, f, k, t, t);
                K.DiscardAndNormalise(hat, t, ratio);
                int m = (int)Math.Floor(ratio * t * t);
                var expected = new List<double>();
                for (int target = 0; target < k; target++)
                {
                    var one = f.AsSpan(target * t * t, t * t).ToArray();
                    var lowest = Enumerable.Range(0, t * t).OrderBy(p => one[p]).ThenBy(p => p).Take(m)
                        .Where(p => p / t != 0 && p % t != 0);
                    expected.AddRange(Expected(one, t, lowest));
                }
                Check.Close(hat.ToArray(), expected.ToArray(), $"T = {t}, ratio {ratio}", 1e-6, 1e-7);
            }
    }

    [Fact]
    public void EachLayerIsPairedWithItsOwnGradient()
    {
        // Two layers, T = 5, one head, K = 1. Layer 0's gradient is zero, layer 1's is one: with the right pairing
        // Â_0 = I and R = Â_1, built from A_1 alone. Pairing layer l with gradient L−1−l (the widely copied code)
        // would give R = Â_0 from A_0 instead.
        const int t = 5;
        var rng = new Random(7);
        float[] Softmax() => Enumerable.Range(0, t).SelectMany(_ =>
        {
            var e = Enumerable.Range(0, t).Select(_ => Math.Exp(2 * rng.NextDouble())).ToArray();
            return e.Select(v => (float)(v / e.Sum()));
        }).ToArray();
        float[] a0 = Softmax(), a1 = Softmax();
        using var at0 = Tensor.FromArray(D, a0, 1, t, t);
        using var at1 = Tensor.FromArray(D, a1, 1, t, t);
        using var g0 = Tensor.Zeros(D, 1, 1, t, t);
        using var g1 = Tensor.Full(D, 1f, 1, 1, t, t);
        using var r = Tensor.Empty(D, 1, t, t);
        K.GradientRollout([at0, at1], [g0, g1], 0, r);
        Check.Close(r.ToArray(), Expected(a1, t, []), "R = Â_1", 1e-6, 1e-7);
    }

    [Fact]
    public void TheLaterLayerMultipliesFromTheLeft()
    {
        // R = Â_1 · Â_0, not Â_0 · Â_1 (they differ for these random matrices).
        const int t = 5;
        var rng = new Random(3);
        float[] Random() => Enumerable.Range(0, t * t).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] f0 = Random(), f1 = Random();
        using var a0 = Tensor.FromArray(D, f0, 1, t, t);
        using var a1 = Tensor.FromArray(D, f1, 1, t, t);
        using var r = Tensor.Empty(D, 1, t, t);
        K.AttentionRollout([a0, a1], HeadFusion.Mean, 0, r);
        double[] h0 = Expected(f0, t, []), h1 = Expected(f1, t, []);
        var expected = new double[t * t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < t; j++)
                for (int m = 0; m < t; m++) expected[i * t + j] += h1[i * t + m] * h0[m * t + j];
        Check.Close(r.ToArray(), expected, "R = Â_1 Â_0", 1e-6, 1e-7);
    }

    [Fact]
    public void ShapesAreCheckedBeforeLaunching()
    {
        using var a = Tensor.Zeros(D, 2, 17, 17);
        using var g = Tensor.Zeros(D, 2, 3, 17, 17);
        using var r = Tensor.Empty(D, 2, 17, 17);
        Assert.Throws<ArgumentException>(() => K.GradientRollout([a], [g], 0.9f, r)); // 3 heads in the gradient, 2 in A
        Assert.Throws<ArgumentException>(() => K.DiscardAndNormalise(r, 17, 1.5));
        using var odd = Tensor.Zeros(D, 2, 11, 11); // 10 patches are no square grid
        Assert.Throws<ArgumentException>(() => VitExplain.AttentionRollout([odd]));
        using var x = Tensor.Zeros(D, 17, 4);
        using var gx = Tensor.Zeros(D, 2, 17, 5);
        Assert.Throws<ArgumentException>(() => VitExplain.GradCam(x, gx));
    }
}
