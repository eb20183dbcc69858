using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// pytorch-grad-cam's aug_smooth (BaseCAM.forward_augmentation_smoothing with its default ttach transforms; docs/cam.md,
/// "aug_smooth"): the input horizontally flipped or not × multiplied by 0.9, 1 or 1.1 — six passes; each layer map m of
/// each pass becomes pytorch-grad-cam's final map of that layer, s(resize(s(ReLU m))) at the input's size (s the min-max
/// scaling, resize OpenCV's bilinear), flipped back where the input was flipped; the six are averaged. The map then lives
/// at the input's size. The targets must not move with a flip: classes only (a detection's box would move).
/// </summary>
static class AugSmoothing
{
    /// <summary>ttach's Compose([HorizontalFlip(), Multiply([0.9, 1, 1.1])]) in its order.</summary>
    public static readonly (bool Flip, float Factor)[] Transforms =
        [(false, 0.9f), (false, 1f), (false, 1.1f), (true, 0.9f), (true, 1f), (true, 1.1f)];

    /// <summary>Whether aug_smooth applies to <paramref name="method"/> (every layer method).</summary>
    public static bool Smooths(CamMethod method) => !InputAttribution.InInputSpace(method);

    /// <summary>Replaces, in <paramref name="maps"/>, every layer method's map by its aug_smooth mean [K, H, W].</summary>
    public static void Smooth<TTargets>(ICamAdapter<TTargets> adapter, Tensor input, TTargets targets, IReadOnlyList<string> layers,
        CamRequest request, List<CamMap> maps) where TTargets : ICamTargets
    {
        var methods = request.Methods.Where(Smooths).Distinct().ToArray();
        if (methods.Length == 0) return;
        if (targets is not ClassTargets)
            throw new ArgumentException("CAM: aug_smooth needs targets that a horizontal flip leaves where they are (classes); a detection moves with the image");
        var device = input.Device;
        int height = input.Shape[2], width = input.Shape[3], p = height * width, k = targets.Count;
        var inner = new CamRequest
        {
            Methods = methods, Layers = layers.ToArray(), GradCamPlusPlusEpsilon = request.GradCamPlusPlusEpsilon,
            PowerIterations = request.PowerIterations, EigenSmooth = request.EigenSmooth, BatchSize = request.BatchSize,
            PerturbationBudgetBytes = request.PerturbationBudgetBytes, SmoothSamples = request.SmoothSamples,
            SmoothSigma = request.SmoothSigma, Seed = request.Seed,
        };
        var x = input.ToArray();
        var sums = new Dictionary<(CamMethod, string), double[]>();
        foreach (var (flip, factor) in Transforms)
        {
            using var augmented = Tensor.FromArray(device, Augment(x, input.Shape[1], height, width, flip, factor), input.Shape);
            using var result = CamEngine.Compute(adapter, augmented, _ => targets, inner);
            foreach (var host in result.ToHost())
            {
                if (!sums.TryGetValue((host.Method, host.Layer), out var sum)) sums[(host.Method, host.Layer)] = sum = new double[k * p];
                for (int t = 0; t < k; t++)
                {
                    var final = MapAggregation.Final([(host.Maps[t], host.Height, host.Width)], height, width);
                    for (int y = 0; y < height; y++)
                        for (int col = 0; col < width; col++)
                            sum[t * p + y * width + col] += final[y * width + (flip ? width - 1 - col : col)];
                }
            }
        }
        var kernels = CamKernels.For(device);
        for (int i = 0; i < maps.Count; i++)
        {
            if (!sums.Remove((maps[i].Method, maps[i].Layer), out var sum)) continue;
            var map = Tensor.FromArray(device, sum.Select(v => (float)(v / Transforms.Length)).ToArray(), [k, height, width]);
            var range = Tensor.Empty(device, k, 2);
            kernels.MapRange(map, p, range);
            maps[i].Dispose();
            maps[i] = new CamMap(maps[i].Layer, maps[i].Method, map, range);
        }
    }

    // The input [C, H, W] flipped left-right (when asked) and multiplied by the factor, as ttach's augment_image.
    static float[] Augment(float[] x, int channels, int height, int width, bool flip, float factor)
    {
        var y = new float[x.Length];
        for (int c = 0; c < channels; c++)
            for (int r = 0; r < height; r++)
                for (int col = 0; col < width; col++)
                {
                    int at = (c * height + r) * width;
                    y[at + col] = x[at + (flip ? width - 1 - col : col)] * factor;
                }
        return y;
    }
}
