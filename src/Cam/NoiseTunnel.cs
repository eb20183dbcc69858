using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// SmoothGrad as a noise tunnel around the gradient layer methods (Captum's NoiseTunnel, nt_type 'smoothgrad', around
/// e.g. LayerGradCam): each such map becomes the mean of its maps on <see cref="CamRequest.SmoothSamples"/> noisy copies
/// of the input (<see cref="InputAttribution.NoisyCopies"/>), the clean input's map not included, the targets those of
/// the clean pass. One forward and backward per copy, all methods and layers from each.
/// </summary>
static class NoiseTunnel
{
    /// <summary>Whether <paramref name="method"/> is a gradient method at a layer (what the tunnel smooths).</summary>
    public static bool Smooths(CamMethod method) => !InputAttribution.InInputSpace(method)
        && method is not (CamMethod.EigenCam or CamMethod.Cam or CamMethod.ScoreCam or CamMethod.AblationCam);

    /// <summary>Replaces, in <paramref name="maps"/>, every gradient layer method's map by its noise-tunnel mean.</summary>
    public static void Smooth<TTargets>(ICamAdapter<TTargets> adapter, Tensor input, TTargets targets, IReadOnlyList<string> layers,
        CamRequest request, List<CamMap> maps) where TTargets : ICamTargets
    {
        var methods = request.Methods.Where(Smooths).Distinct().ToArray();
        if (methods.Length == 0) return;
        var device = input.Device;
        var kernels = CamKernels.For(device);
        var inner = new CamRequest
        {
            Methods = methods, Layers = layers.ToArray(), GradCamPlusPlusEpsilon = request.GradCamPlusPlusEpsilon,
            PowerIterations = request.PowerIterations, EigenSmooth = request.EigenSmooth,
        };
        var sums = new Dictionary<(CamMethod, string), Tensor>();
        try
        {
            foreach (var noisy in InputAttribution.NoisyCopies(input.ToArray(), request.SmoothSamples, request.SmoothSigma, request.Seed))
            {
                using var x = Tensor.FromArray(device, noisy, input.Shape);
                using var result = CamEngine.Compute(adapter, x, _ => targets, inner);
                foreach (var m in result.Maps)
                {
                    if (sums.TryGetValue((m.Method, m.Layer), out var sum)) device.Backend.Accumulate(m.Map, sum);
                    else sums[(m.Method, m.Layer)] = m.Map.Clone();
                }
                device.Synchronize();
            }
            for (int i = 0; i < maps.Count; i++)
            {
                if (!sums.Remove((maps[i].Method, maps[i].Layer), out var sum)) continue;
                device.Backend.Unary(UnaryOp.Scale, sum, sum, 1f / request.SmoothSamples);
                var range = Tensor.Empty(device, sum.Shape[0], 2);
                kernels.MapRange(sum, sum.Shape[1] * sum.Shape[2], range);
                maps[i].Dispose();
                maps[i] = new CamMap(maps[i].Layer, maps[i].Method, sum, range);
            }
        }
        finally
        {
            foreach (var t in sums.Values) t.Dispose();
        }
    }
}
