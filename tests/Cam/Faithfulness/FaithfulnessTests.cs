using NativeCam.Cam.Faithfulness;
using NativeCam.Classifiers;
using NativeCam.Tensors;
using NativeCam.Tests.Classifiers;
using Xunit;
using static NativeCam.Tests.Cam.Faithfulness.MetricsFixture;
using FM = NativeCam.Cam.Faithfulness.FaithfulnessMetrics;

namespace NativeCam.Tests.Cam.Faithfulness;

/// <summary>
/// The faithfulness metrics against pytorch-grad-cam 1.5.5's own (tests/reference/metrics_reference.py): resnet_basic,
/// the Grad-CAM maps pytorch-grad-cam returned for classes 2, 4 and 5 (empty), ClassifierOutputSoftmaxTarget confidences; ROAD
/// with the imputation's noise off, then on; the imputation itself against scipy's direct solve; deletion and
/// insertion on a confidence whose curve is known exactly.
/// </summary>
public class FaithfulnessTests
{
    static readonly System.Text.Json.JsonElement C = Section("classifier");
    static readonly int[] Classes = Ints(C.GetProperty("classes"));

    static float[] Input() => ClassifierFixture.Load("resnet_basic").Input.Data.Select(v => (float)v).ToArray();

    static float[][] Cams()
    {
        var cams = Floats(C.GetProperty("cams"));
        return [cams[..4096], cams[4096..8192], cams[8192..]];
    }

    static FaithfulnessScores[] Measure(double noise) // 4 deletion/insertion steps: they are not compared here, and cost forwards
    {
        var device = TestDevice.Default;
        using var model = ClassifierModel.Build(device, ClassifierCheckpoint.Load(ClassifierFixture.Load("resnet_basic").Weights));
        var confidence = BatchConfidence.Classifier(device, x => [model.Forward(x)], 3, 64, 64);
        return FM.Measure(confidence, Input(), 3, 64, 64, Cams(), Classes, new FaithfulnessOptions { Noise = noise, BatchSize = 16, Steps = 4 });
    }

    static double[] Expected(string key) => Doubles(C.GetProperty("metrics").GetProperty(key));

    [Fact]
    public void Imputation_matches_scipys_direct_solve()
    {
        // Pixels kept (m < np.percentile(m, p)), counted by NumPy on the fixture's maps: the upsampled maps have ties.
        int[][] morf = [[808, 1625, 2318, 3267], [808, 1459, 2457, 3268]], lerf = [[813, 1538, 2455, 3272], [812, 1638, 2445, 3272]];
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(morf[k][i], RoadMask.Keep(Cams()[k], 20 * (i + 1), mostRelevantFirst: true).Count(x => x));
                Assert.Equal(lerf[k][i], RoadMask.Keep(Cams()[k], 20 * (i + 1), mostRelevantFirst: false).Count(x => x));
            }
        var keep = RoadMask.Keep(Cams()[0], 40, mostRelevantFirst: true);
        var imputed = NoisyLinearImputer.Impute(Input(), 3, 64, 64, keep, noise: 0);
        var expected = Floats(C.GetProperty("imputed_morf_40"));
        // CG to a relative residual of 1e-10 against a direct solve, both rounded to float32.
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - imputed[i]) <= 1e-6, $"value {i}: {imputed[i]} vs {expected[i]}");
    }

    [Fact]
    public void Metrics_match_pytorch_grad_cam_with_the_imputation_noise_off()
    {
        var scores = Measure(noise: 0);
        var confidence = Doubles(C.GetProperty("confidence"));
        var percentiles = Doubles(C.GetProperty("percentiles"));
        // Our float32 network against the float64 reference: the probabilities agree to ~1e-7; the bar is 1e-4.
        const double tol = 2e-6;
        for (int k = 0; k < 3; k++) // k = 2: an empty map, every pixel imputed (to 0, as scipy's solve of a zero right-hand side)
        {
            var s = scores[k];
            Assert.Equal(confidence[k], s.Confidence, tol);
            Assert.Equal(Expected("cam_mult")[k], s.CamMultChange, tol);
            Assert.Equal(Expected("drop")[k], s.Drop, tol);
            Assert.Equal(Expected("increase")[k] > 0.5, s.Increase);
            for (int i = 0; i < percentiles.Length; i++)
            {
                Assert.Equal(Expected($"morf_{percentiles[i]}")[k], s.RoadMostRelevantFirst[i], tol);
                Assert.Equal(Expected($"lerf_{percentiles[i]}")[k], s.RoadLeastRelevantFirst[i], tol);
            }
            Assert.Equal(Expected("combined")[k], s.RoadCombined, tol);
            Assert.Equal(s.Confidence, s.DeletionCurve[0]);
            Assert.Equal(s.Confidence, s.InsertionCurve[^1]);
            Assert.Equal(s.DeletionCurve[^1], s.InsertionCurve[0]); // both the all-zero input
        }
    }

    [Fact]
    public void With_noise_the_numbers_stay_within_the_noises_reach_and_repeat_for_a_seed()
    {
        var noisy = Measure(NoisyLinearImputer.DefaultNoise);
        // Noise of std 0.01 moved pytorch-grad-cam's own ROAD numbers by at most road_noise_spread (2.8e-5) over 5 seeds.
        double spread = C.GetProperty("road_noise_spread").GetDouble();
        Assert.InRange(spread, 1e-6, 1e-4);
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(Expected("combined")[k], noisy[k].RoadCombined, 3 * spread);
            for (int i = 0; i < 4; i++) Assert.Equal(Expected($"morf_{20 * (i + 1)}")[k], noisy[k].RoadMostRelevantFirst[i], 3 * spread);
        }
        Assert.Equal(noisy[0].RoadMostRelevantFirst, Measure(NoisyLinearImputer.DefaultNoise)[0].RoadMostRelevantFirst);
    }

    [Fact]
    public void Deletion_and_insertion_follow_the_map_and_integrate_by_trapezoids()
    {
        // Confidence = mean of channel 0 over the 5×4 pixels; input all 1; the map ranks the pixels exactly.
        const int h = 5, w = 4, n = h * w;
        var input = Enumerable.Repeat(1f, 2 * n).ToArray();
        var map = Enumerable.Range(0, n).Select(i => (float)((i * 7) % n) / n).ToArray(); // a permutation of 0..19 / 20
        FM.Confidence mean = batch => batch.Select(b => b.Input.Take(n).Average(v => (double)v)).ToArray();
        var s = FM.Measure(mean, input, 2, h, w, [map], [0], new FaithfulnessOptions { Steps = 4, Percentiles = [] })[0];
        Assert.Equal([1, 0.75, 0.5, 0.25, 0], s.DeletionCurve);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], s.InsertionCurve);
        Assert.Equal(0.5, s.DeletionAuc, 12);
        Assert.Equal(0.5, s.InsertionAuc, 12);
        // A confidence that only sees the map's top pixel: deleted at the first step, inserted at the first step.
        int top = System.Array.IndexOf(map, map.Max());
        FM.Confidence onTop = batch => batch.Select(b => (double)b.Input[top]).ToArray();
        var t = FM.Measure(onTop, input, 2, h, w, [map], [0], new FaithfulnessOptions { Steps = 4, Percentiles = [] })[0];
        Assert.Equal([1, 0, 0, 0, 0], t.DeletionCurve);
        Assert.Equal([0, 1, 1, 1, 1], t.InsertionCurve);
        Assert.Equal(0.125, t.DeletionAuc, 12);
        Assert.Equal(0.875, t.InsertionAuc, 12);
        Assert.Equal(map[top] - 1, t.CamMultChange, 6); // the top pixel times its map value 19/20
    }

    [Fact]
    public void Percentiles_follow_numpy_and_a_fully_removed_image_imputes_to_zero()
    {
        float[] v = [3, 1, 4, 1, 5, 9, 2, 6];
        Assert.Equal(1.4, RoadMask.Percentile(v, 20), 6);  // np.percentile: sorted 1 1 2 3 4 5 6 9, index 1.4 between 1 and 2
        Assert.Equal(5.6, RoadMask.Percentile(v, 80), 6);  // index 5.6 between 5 and 6
        Assert.Equal(9, RoadMask.Percentile(v, 100));
        Assert.Equal(new float[4], NoisyLinearImputer.Impute([1, 2, 3, 4], 1, 2, 2, new bool[4], 0));
    }
}
