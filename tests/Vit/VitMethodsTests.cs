using NativeCam.Autograd;
using NativeCam.Cam.Vit;
using NativeCam.Tensors;
using NativeCam.Vit;
using Xunit;

namespace NativeCam.Tests.Vit;

/// <summary>
/// Chefer et al.'s relevance (`vit-cam --method chefer`) and vit-explain's rollout and gradient rollout
/// (`--compat vit-explain`) against the authors' own code (tests/reference/vit_methods_reference.py: Chefer's notebook
/// functions and vit-explain@15a81d3, imported from outside the repo), on the small seeded ViT, batch 1, K = 2 targets.
/// Two levels: the kernels on the reference's float32-rounded attentions and gradients (their code run on exactly
/// those inputs) to 1e-5 — absolute on vit-explain's masks (in [0, 1]), of the map's maximum for Chefer; and the whole
/// chain (our float32 forward and one K = 2 backward) against their code on the float64 model to 1e-3 of each map's
/// maximum, as tests/Vit/VitMapsTests.cs (the reference prints the smallest relative gap at a discard cutoff, 3.4e-4,
/// so float32 discards the same entries).
/// </summary>
public class VitMethodsTests
{
    const string File = "vit/vit_methods.json";
    const double KernelTol = 1e-5, ChainTol = 1e-3;

    static Device D => TestDevice.Default;
    static FixtureCase Case => Fixtures.Case(File, "vit_small_image0");

    static Tensor Dev(FixtureArray a) => Tensor.FromArray(D, a.Data.Select(v => (float)v).ToArray(), a.Shape);

    static void CloseToMax(Tensor map, FixtureArray expected, string what, double rel)
    {
        Assert.Equal(expected.Shape, map.Shape);
        double scale = expected.Data.Max(Math.Abs);
        Assert.True(scale > 0, $"{what}: the reference map is all zeros, the test would be vacuous");
        Check.Close(map.ToArray(), expected.Data, what, 0, rel * scale);
    }

    /// <summary>The reference's attentions [H, T, T] and gradients [K, H, T, T] per layer, on the device.</summary>
    sealed class Inputs : IDisposable
    {
        public readonly List<Tensor> Attentions = [], Gradients = [];

        public Inputs(FixtureCase c)
        {
            for (int l = 0; l < c.Int("layers"); l++)
            {
                Attentions.Add(Dev(c.Inputs[$"attention{l}"]));
                Gradients.Add(Dev(c.Inputs[$"gradient{l}"]));
            }
        }

        public void Dispose()
        {
            foreach (var t in Attentions.Concat(Gradients)) t.Dispose();
        }
    }

    static string Ratio(double r) => r == 0 ? "0.0" : "0.9";

    [Fact]
    public void Chefer_kernels_match_the_authors_relevance_on_the_same_inputs()
    {
        var c = Case;
        using var inputs = new Inputs(c);
        int t = c.Int("tokens"), k = c.Ints("targets").Length;
        using var map = VitExplain.Chefer(inputs.Attentions, inputs.Gradients);
        CloseToMax(map, c.Outputs["chefer_kernel"], "Chefer map", KernelTol);

        // The full R's class row (batched GEMMs) equals the vector path.
        using var r = Tensor.Empty(D, k, t, t);
        IlgpuVitKernels.For(D).CheferRelevance(inputs.Attentions, inputs.Gradients, r);
        using var row = Tensor.Empty(D, map.Shape);
        IlgpuVitKernels.For(D).ClassTokenMap(r, t, row);
        CloseToMax(row, c.Outputs["chefer_kernel"], "Chefer class row of R", KernelTol);

        // One K = 2 call equals two K = 1 calls.
        var all = map.ToArray();
        int per = all.Length / k;
        for (int target = 0; target < k; target++)
        {
            var single = inputs.Gradients.Select(g => g.Slice(target * (g.Length / k), [1, .. g.Shape[1..]])).ToList();
            try
            {
                using var one = VitExplain.Chefer(inputs.Attentions, single);
                Check.Close(one.ToArray(), all.AsSpan(target * per, per).ToArray(), $"Chefer target {target} alone", 0, 1e-6);
            }
            finally { foreach (var s in single) s.Dispose(); }
        }
    }

    /// <summary>Per index 0..n−1, splitmix64 of (seed, index) cut into three 21-bit uniforms in [0, 1) (bits 43–63,
    /// 22–42, 1–21): A = u0/128 and the two targets' G = (2u1 − 1)/16, (2u2 − 1)/16, float32-exact, the same numbers
    /// as vit_methods_reference.py's hashed().</summary>
    static (float[] A, float[] G0, float[] G1) Hashed(ulong seed, int n)
    {
        var (a, g0, g1) = (new float[n], new float[n], new float[n]);
        const double unit = 1.0 / (1 << 21);
        for (int i = 0; i < n; i++)
        {
            ulong z = unchecked(seed + (ulong)(i + 1) * 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            a[i] = (float)((z >> 43) * unit / 128);
            g0[i] = (float)((2 * ((z >> 22) & 0x1FFFFF) * unit - 1) / 16);
            g1[i] = (float)((2 * ((z >> 1) & 0x1FFFFF) * unit - 1) / 16);
        }
        return (a, g0, g1);
    }

    /// <summary>
    /// ViT-B/16's attention shapes (12 layers, 12 heads, 197 tokens), K = 2, from hashed inputs both sides generate
    /// (<see cref="Hashed"/>): Chefer's relevance to 1e-4 of the map's maximum (see below) and vit-explain's mean
    /// rollout at discard 0.9 to 1e-5 of it (the discard cutoff's smallest relative gap is 4.8e-6; float32 means are
    /// within ~1e-7; max fusion has exact ties at the cutoff on 21-bit inputs, where topk's order is unspecified, and
    /// is checked on the small model instead).
    /// </summary>
    [Fact]
    public void At_ViT_B_shapes_Chefer_and_compat_rollout_match_the_authors_code()
    {
        var c = Fixtures.Case(File, "vitb_shapes_hashed");
        int layers = c.Int("layers"), heads = c.Int("heads"), t = c.Int("tokens"), k = c.Int("targets"), plane = t * t;
        var (a, g0, g1) = Hashed(1, layers * heads * plane);
        int layer = heads * plane;
        var attentions = Enumerable.Range(0, layers).Select(l => Tensor.FromArray(D, a.AsSpan(l * layer, layer), heads, t, t)).ToList();
        var gradients = Enumerable.Range(0, layers).Select(l =>
            Tensor.FromArray(D, [.. g0.AsSpan(l * layer, layer), .. g1.AsSpan(l * layer, layer)], k, heads, t, t)).ToList();
        try
        {
            // 1e-4 here: float32 itself is 1.5e-5 of the maximum away on these inputs (PyTorch's float32 class-row
            // product of the same factors is off by as much as ours), so 1e-5 would test rounding, not the rule.
            using (var map = VitExplain.Chefer(attentions, gradients)) CloseToMax(map, c.Outputs["chefer_kernel"], "ViT-B Chefer", 1e-4);
            foreach (var fusion in new[] { HeadFusion.Mean })
            {
                string key = $"vitexplain_rollout_{fusion.ToString().ToLowerInvariant()}_0.9_kernel";
                using var map = VitExplainCompat.AttentionRollout(attentions, fusion, 0.9);
                CloseToMax(map, c.Outputs[key], $"ViT-B {key}", KernelTol);
            }
        }
        finally { foreach (var x in attentions.Concat(gradients)) x.Dispose(); }
    }

    [Fact]
    public void Chefer_of_a_zero_gradient_is_R_equal_I_and_a_zero_map()
    {
        var c = Case;
        using var inputs = new Inputs(c);
        int t = c.Int("tokens"), k = c.Ints("targets").Length;
        var zeros = inputs.Gradients.Select(g => Tensor.Zeros(D, g.Shape)).ToList();
        try
        {
            using var r = Tensor.Empty(D, k, t, t);
            IlgpuVitKernels.For(D).CheferRelevance(inputs.Attentions, zeros, r);
            var rv = r.ToArray();
            for (int i = 0; i < rv.Length; i++) Assert.Equal(i % (t * t) / t == i % t ? 1f : 0f, rv[i]);
            using var map = VitExplain.Chefer(inputs.Attentions, zeros);
            Assert.All(map.ToArray(), v => Assert.Equal(0f, v));
        }
        finally { foreach (var z in zeros) z.Dispose(); }
    }

    [Fact]
    public void VitExplain_compat_kernels_match_its_code_on_the_same_inputs()
    {
        var c = Case;
        using var inputs = new Inputs(c);
        foreach (var fusion in Enum.GetValues<HeadFusion>())
            foreach (double ratio in new[] { 0, 0.9 })
            {
                string key = $"vitexplain_rollout_{fusion.ToString().ToLowerInvariant()}_{Ratio(ratio)}_kernel";
                using var map = VitExplainCompat.AttentionRollout(inputs.Attentions, fusion, ratio);
                Assert.Equal(c.Outputs[key].Shape, map.Shape);
                Check.Close(map.ToArray(), c.Outputs[key].Data, key, 0, KernelTol);
            }
        foreach (double ratio in new[] { 0, 0.9 })
        {
            string key = $"vitexplain_grad_rollout_{Ratio(ratio)}_kernel";
            using var map = VitExplainCompat.GradientRollout(inputs.Attentions, inputs.Gradients, ratio);
            Assert.Equal(c.Outputs[key].Shape, map.Shape);
            Check.Close(map.ToArray(), c.Outputs[key].Data, key, 0, KernelTol);
        }
    }

    [Fact]
    public void VitExplain_compat_differs_from_the_default_rules()
    {
        // Not a restatement of the reference: the compat numbers must not be the default ones under another name.
        using var inputs = new Inputs(Case);
        using var ours = VitExplain.AttentionRollout(inputs.Attentions, HeadFusion.Mean, 0.9);
        using var theirs = VitExplainCompat.AttentionRollout(inputs.Attentions, HeadFusion.Mean, 0.9);
        var a = ours.ToArray();
        float max = a.Max();
        Assert.True(a.Zip(theirs.ToArray(), (x, y) => Math.Abs(x / max - y)).Max() > 1e-3, "compat rollout equals the default divided by its max");
    }

    [Theory]
    [InlineData(DiscardExemption.ClassRowAndColumn, new float[] { 0.1f, 0.2f, 0.3f, 0.6f, 5, 0, 0.4f, 0, 0 })]
    [InlineData(DiscardExemption.FirstEntry, new float[] { 0.1f, 0, 0, 0, 5, 0, 0, 0, 0 })]
    [InlineData(DiscardExemption.None, new float[] { 0, 0, 0, 0, 5, 0, 0, 0, 0 })]
    public void Discard_exemptions_keep_what_they_say(DiscardExemption exemption, float[] expected)
    {
        // 3×3, ratio 0.9 → ⌊8.1⌋ = 8 of 9 dropped: everything but the largest (5 at [1, 1]), except the exempt entries.
        using var m = Tensor.FromArray(D, [0.1f, 0.2f, 0.3f, 0.6f, 5, 0.7f, 0.4f, 0.8f, 0.9f], 1, 3, 3);
        IlgpuVitKernels.For(D).Discard(m, 3, 0.9, exemption);
        Assert.Equal(expected, m.ToArray());
    }

    [Fact]
    public void The_chain_matches_the_authors_code_on_the_float64_model()
    {
        var c = Case;
        int[] targets = c.Ints("targets");
        using var model = VitModel.Build(D, VitCheckpoint.Load(VitFixture.Timm, heads: VitFixture.Small.ConfigInt("heads")));
        var input = c.Inputs["input"];
        using var x = Dev(input);
        using var tape = new Tape();
        var names = model.AttentionNames;
        tape.Watch([.. names]);
        var logits = model.Forward(Var.Input(x));
        CloseToMax(logits.Value, c.Outputs["logits"], "logits", 1e-4);
        int classes = logits.Shape[1];
        var seed = new float[targets.Length * classes];
        for (int k = 0; k < targets.Length; k++) seed[k * classes + targets[k]] = 1f;
        using (var seeds = Tensor.FromArray(D, seed, targets.Length, 1, classes)) tape.Backward(logits, seeds);

        var attentions = names.Select(n => tape.Find(n)!.Value.Reshape(tape.Find(n)!.Shape[1..])).ToList();   // [H, T, T]
        var gradients = names.Select(n => { var g = tape.Find(n)!.Grad!; return g.Reshape([g.Shape[0], .. g.Shape[2..]]); }).ToList(); // [K, H, T, T]
        try
        {
            using (var chefer = VitExplain.Chefer(attentions, gradients)) CloseToMax(chefer, c.Outputs["chefer"], "Chefer", ChainTol);
            foreach (var fusion in Enum.GetValues<HeadFusion>())
                foreach (double ratio in new[] { 0, 0.9 })
                {
                    string key = $"vitexplain_rollout_{fusion.ToString().ToLowerInvariant()}_{Ratio(ratio)}";
                    using var map = VitExplainCompat.AttentionRollout(attentions, fusion, ratio);
                    CloseToMax(map, c.Outputs[key], key, ChainTol);
                }
            foreach (double ratio in new[] { 0, 0.9 })
            {
                string key = $"vitexplain_grad_rollout_{Ratio(ratio)}";
                using var map = VitExplainCompat.GradientRollout(attentions, gradients, ratio);
                CloseToMax(map, c.Outputs[key], key, ChainTol);
            }
        }
        finally { foreach (var t in attentions.Concat(gradients)) t.Dispose(); }
    }
}
