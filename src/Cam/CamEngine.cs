using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// Class-activation maps for any model family, through its <see cref="ICamAdapter{TTargets}"/>. <see cref="Compute"/>
/// runs one forward pass with the requested layers watched, lets the caller choose the targets from that very pass,
/// seeds all K targets at once (the K-target vector-Jacobian product: one backward sweep gives every target's
/// gradient at every layer), then computes every requested method at every layer from those same activations and
/// gradients, on the device, with no host round trip.
/// </summary>
public static class CamEngine
{
    /// <summary>
    /// Maps for the targets <paramref name="chooseTargets"/> picks from the model's outputs (e.g. after decoding and
    /// NMS), so that choosing and explaining share one forward. With <c>auto</c> layers, every one of the adapter's
    /// <see cref="ICamAdapter{TTargets}.DefaultLayers"/> is watched, since the targets are not known yet. No targets:
    /// an empty result (no backward is run). <paramref name="input"/> is one image [1, 3, H, W].
    /// </summary>
    public static CamResult Compute<TTargets>(ICamAdapter<TTargets> adapter, Tensor input,
        Func<Var[], TTargets> chooseTargets, CamRequest? request = null) where TTargets : ICamTargets
    {
        request ??= new CamRequest();
        if (input.Rank != 4 || input.Shape[0] != 1 || input.Shape[1] != 3)
            throw new ArgumentException($"CAM: input must be one image [1, 3, H, W], got {Tensor.Format(input.Shape)}");
        if (request.Methods.Count == 0 && !request.Guided) throw new ArgumentException("CAM: no method requested");
        if (request.PowerIterations < 1) throw new ArgumentException("CAM: PowerIterations must be at least 1");
        var device = input.Device;
        var kernels = CamKernels.For(device);
        bool needsGradient = request.Guided || request.Methods.Any(m => m is not (CamMethod.EigenCam or CamMethod.Cam or CamMethod.ScoreCam or CamMethod.AblationCam
            or CamMethod.IntegratedGradients or CamMethod.SmoothGrad));
        bool fullGrad = request.Methods.Contains(CamMethod.FullGrad);
        if (request.BatchSize < 0) throw new ArgumentException("CAM: BatchSize must be at least 1 (0 picks one from the memory budget)");
        var scorer = adapter as ICamScores<TTargets>;
        foreach (var m in request.Methods.Where(m => m is CamMethod.ScoreCam or CamMethod.AblationCam))
            if (scorer is null)
                throw new ArgumentException($"CAM: method {m.ToString().ToLowerInvariant()} needs a family whose target scores can be read from a batch of perturbed inputs; this one has none");
        var classWeights = adapter as ICamClassWeights<TTargets>;
        if (request.Methods.Contains(CamMethod.Cam) && classWeights is null)
            throw new ArgumentException("CAM: method cam (the original CAM) needs a model whose head is a global average pool and one Linear layer");

        var maps = new List<CamMap>();
        var guidedGradCam = new Dictionary<string, Tensor>();
        Tensor? guided = null;
        try
        {
            using var tape = new Tape { WatchedOnly = true }; // the maps read the watched layers' gradients only
            tape.Watch(ResolveLayers(adapter, request.Layers, adapter.DefaultLayers));
            var x = Var.Input(input, requiresGrad: request.Guided || fullGrad);
            var outputs = adapter.Forward(x);
            var targets = chooseTargets(outputs);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (targets.Count == 0) return new CamResult([], [], null, new Dictionary<string, Tensor>());
            var targetLayers = adapter.TargetLayers(outputs, targets);
            var layers = ResolveLayers(adapter, request.Layers, adapter.DefaultLayers.Where(targetLayers.Contains).ToArray());
            int k = targets.Count;
            foreach (var layer in layers)
                if (tape.Find(layer) is null)
                    throw new ArgumentException($"CAM: no layer named {layer} ({adapter.LayerHint})");

            var biasMaps = fullGrad ? new FullGradMaps(k, input.Shape[2], input.Shape[3]) : null;
            if (needsGradient)
            {
                var seeds = adapter.Seed(outputs, targets);
                try
                {
                    if (request.Guided)
                    {
                        using (GuidedBackprop.On(tape)) tape.Backward(seeds);
                        if (x.Grad is null) guided = Tensor.Zeros(device, k, 3, input.Shape[2], input.Shape[3]);
                        else
                        {
                            using var view = x.Grad.Reshape(k, 3, input.Shape[2], input.Shape[3]);
                            guided = view.Clone(); // the next sweep clears the input's gradient
                        }
                    }
                    if (seeds.Any(s => s.Output.RequiresGrad))
                        using (biasMaps is null ? null : tape.Override(biasMaps)) tape.Backward(seeds);
                }
                finally
                {
                    foreach (var (_, s) in seeds) s.Dispose();
                }
            }

            device.Synchronize();
            double backwardMs = clock.Elapsed.TotalMilliseconds;
            double[]? originalScores = null; // Ablation-CAM's unperturbed s_k, read once
            foreach (var layer in layers)
            {
                var v = tape.Find(layer)!;
                if (v.Shape.Length != 4 || v.Shape[0] != 1)
                    throw new ArgumentException($"CAM: layer {layer} is {Tensor.Format(v.Shape)}, not one feature map [1, C, h, w]");
                var grad = v.Grad;
                using var weights = request.Methods.Contains(CamMethod.Cam) ? classWeights!.ClassWeights(device, layer, targets) : null;
                foreach (var method in request.Methods.Where(m => !InputAttribution.InInputSpace(m)))
                    maps.Add(method switch
                    {
                        CamMethod.ScoreCam => ScoreCam.Compute(adapter, scorer!, kernels, layer, input, v.Value, targets,
                            request.PerturbationBatch(tape.ValueBytes), request),
                        CamMethod.AblationCam => AblationCam.Compute(adapter, scorer!, kernels, layer, input, v.Value, targets,
                            originalScores ??= scorer!.Scores(outputs, targets), request.PerturbationBatch(tape.ValueBytes), request),
                        _ => LayerMaps.Compute(kernels, method, layer, v.Value, grad, k, request, weights),
                    });
                if (guided != null)
                {
                    using var gradCam = LayerMaps.Compute(kernels, CamMethod.GradCam, layer, v.Value, grad, k, request);
                    var product = Tensor.Empty(device, guided.Shape);
                    kernels.GuidedProduct(guided, gradCam.Map, gradCam.Height, gradCam.Width, product);
                    guidedGradCam[layer] = product;
                }
            }
            if (request.AugSmooth) AugSmoothing.Smooth(adapter, input, targets, layers, request, maps); // its passes carry any noise tunnel
            else if (request.SmoothSamples > 0) NoiseTunnel.Smooth(adapter, input, targets, layers, request, maps);
            foreach (var method in request.Methods.Where(InputAttribution.InInputSpace))
            {
                int height = input.Shape[2], width = input.Shape[3];
                var map = method switch
                {
                    CamMethod.FullGrad => biasMaps!.Final(input.ToArray(), x.Grad?.ToArray() ?? new float[k * input.Length]),
                    CamMethod.IntegratedGradients => InputAttribution.IntegratedGradients(adapter, input, targets, request.IgSteps),
                    _ => InputAttribution.SmoothGrad(adapter, input, targets,
                        request.SmoothSamples > 0 ? request.SmoothSamples : CamRequest.DefaultSmoothSamples, request.SmoothSigma, request.Seed),
                };
                maps.Add(InputAttribution.ToCamMap(kernels, method, map, k, height, width, device));
            }
            // The maps must be written before the tape frees the activations they were computed from.
            device.Synchronize();
            return new CamResult(maps, targetLayers, guided, guidedGradCam)
            {
                BackwardMs = backwardMs,
                MapsMs = clock.Elapsed.TotalMilliseconds - backwardMs,
            };
        }
        catch
        {
            foreach (var m in maps) m.Dispose();
            foreach (var t in guidedGradCam.Values) t.Dispose();
            guided?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The classic feature visualisation: the first <paramref name="count"/> channels of <paramref name="layer"/>
    /// tiled ⌈√count⌉ columns wide, each channel min-max normalised: [rows·h, cols·w].
    /// </summary>
    public static Tensor FeatureGrid<TTargets>(ICamAdapter<TTargets> adapter, Tensor input, string layer, int count)
        where TTargets : ICamTargets
    {
        layer = adapter.NormalizeLayer(layer);
        using var tape = new Tape();
        adapter.Forward(Var.Input(input));
        var v = tape.Find(layer) ?? throw new ArgumentException($"feature grid: no layer named {layer}");
        var grid = FeatureGrids.Tile(v.Value, count);
        input.Device.Synchronize();
        return grid;
    }

    /// <summary>
    /// The backward sweep alone, for a family that makes its own maps from the watched values (e.g. a ViT's
    /// attention rollout): the adapter's K-target seeds on <paramref name="outputs"/>, one sweep on
    /// <paramref name="tape"/>, the seeds disposed. Gradients are then on the tape's watched variables.
    /// </summary>
    public static void Backward<TTargets>(ICamAdapter<TTargets> adapter, Tape tape, Var[] outputs, TTargets targets)
        where TTargets : ICamTargets
    {
        var seeds = adapter.Seed(outputs, targets);
        try { tape.Backward(seeds); }
        finally { foreach (var (_, s) in seeds) s.Dispose(); }
    }

    // The requested layer names in the tape's spelling, `auto` standing for `defaults`, without repeats.
    static string[] ResolveLayers<TTargets>(ICamAdapter<TTargets> adapter, IReadOnlyList<string> requested,
        IReadOnlyList<string> defaults) where TTargets : ICamTargets
    {
        var layers = new List<string>();
        foreach (var name in requested)
        {
            if (name.Equals(CamRequest.Auto, StringComparison.OrdinalIgnoreCase)) layers.AddRange(defaults);
            else layers.Add(adapter.NormalizeLayer(name.Trim()));
        }
        if (layers.Count == 0) throw new ArgumentException("CAM: no layer requested");
        return layers.Distinct().ToArray();
    }
}
