using ILGPU.Runtime;
using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam;

/// <summary>
/// Class-activation maps for YOLOv5 detections. <see cref="Compute"/> runs one forward pass with the requested
/// layers watched, seeds all K targets at once (the K-target vector-Jacobian product: one backward sweep
/// gives every target's gradient at every layer), then computes every requested method at every layer from
/// those same activations and gradients, on the device, with no host round trip.
/// </summary>
public sealed class YoloCam(YoloModel model)
{
    public YoloModel Model { get; } = model;

    /// <summary>The layer feeding Detect level <paramref name="level"/>: <c>model.{Detect.From[level]}</c>.</summary>
    public string AutoLayer(int level)
    {
        var from = Model.Layers[^1].From;
        if (level < 0 || level >= from.Length)
            throw new ArgumentOutOfRangeException(nameof(level), $"Detect has {from.Length} levels, not level {level}");
        return $"model.{from[level]}";
    }

    /// <summary>Maps for <paramref name="targets"/> on the letterboxed input [1, 3, H, W].</summary>
    public CamResult Compute(Tensor input, YoloTargets targets, CamRequest? request = null)
    {
        if (targets.Count == 0) throw new ArgumentException("CAM: no targets (one per detection is needed)");
        return Compute(input, _ => targets, request);
    }

    /// <summary>
    /// Maps for targets chosen from this very forward pass: <paramref name="chooseTargets"/> sees the raw Detect
    /// outputs (e.g. decodes and runs NMS on them) and returns the targets, so detection and CAM share one forward.
    /// With <c>auto</c> layers, every layer feeding a Detect level is watched, since the levels are not known yet.
    /// No targets: an empty result (no backward is run).
    /// </summary>
    public CamResult Compute(Tensor input, Func<Var[], YoloTargets> chooseTargets, CamRequest? request = null)
    {
        request ??= new CamRequest();
        if (input.Rank != 4 || input.Shape[0] != 1 || input.Shape[1] != 3)
            throw new ArgumentException($"CAM: input must be one letterboxed image [1, 3, H, W], got {Tensor.Format(input.Shape)}");
        if (request.Methods.Count == 0 && !request.Guided) throw new ArgumentException("CAM: no method requested");
        if (request.PowerIterations < 1) throw new ArgumentException("CAM: PowerIterations must be at least 1");
        var device = input.Device;
        var kernels = CamKernels.For(device);
        bool needsGradient = request.Guided || request.Methods.Any(m => m != CamMethod.EigenCam);

        var maps = new List<CamMap>();
        var guidedGradCam = new Dictionary<string, Tensor>();
        Tensor? guided = null;
        try
        {
            using var tape = new Tape();
            var allLevels = new YoloTargets(Enumerable.Range(0, Model.Head.Levels).Select(l => new YoloTarget(l, 0, 0, 0, 0)).ToArray());
            tape.Watch(ResolveLayers(request.Layers, allLevels));
            var x = Var.Input(input, requiresGrad: request.Guided);
            var outputs = Model.Forward(x);
            var targets = chooseTargets(outputs);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (targets.Count == 0) return new CamResult([], [], null, new Dictionary<string, Tensor>());
            CheckTargets(targets);
            var targetLayers = targets.Items.Select(t => AutoLayer(t.Level)).ToArray();
            var layers = ResolveLayers(request.Layers, targets);
            int k = targets.Count;
            foreach (var layer in layers)
                if (tape.Find(layer) is null)
                    throw new ArgumentException($"CAM: no layer named {layer} (layers look like model.17 or model.17.cv3.act)");

            if (needsGradient)
            {
                var seeds = Seeds(device, kernels, outputs, targets);
                try
                {
                    if (request.Guided)
                    {
                        tape.GuidedBackprop = true;
                        tape.Backward(seeds);
                        if (x.Grad is null) guided = Tensor.Zeros(device, k, 3, input.Shape[2], input.Shape[3]);
                        else
                        {
                            using var view = x.Grad.Reshape(k, 3, input.Shape[2], input.Shape[3]);
                            guided = view.Clone(); // the next sweep clears the input's gradient
                        }
                        tape.GuidedBackprop = false;
                    }
                    if (seeds.Any(s => s.Output.RequiresGrad)) tape.Backward(seeds);
                }
                finally
                {
                    foreach (var (_, s) in seeds) s.Dispose();
                }
            }

            device.Synchronize();
            double backwardMs = clock.Elapsed.TotalMilliseconds;
            foreach (var layer in layers)
            {
                var v = tape.Find(layer)!;
                if (v.Shape.Length != 4 || v.Shape[0] != 1)
                    throw new ArgumentException($"CAM: layer {layer} is {Tensor.Format(v.Shape)}, not one feature map [1, C, h, w]");
                var grad = v.Grad;
                foreach (var method in request.Methods)
                    maps.Add(Method(kernels, method, layer, v.Value, grad, k, request));
                if (guided != null)
                {
                    using var gradCam = Method(kernels, CamMethod.GradCam, layer, v.Value, grad, k, request);
                    var product = Tensor.Empty(device, guided.Shape);
                    kernels.GuidedProduct(guided, gradCam.Map, gradCam.Height, gradCam.Width, product);
                    guidedGradCam[layer] = product;
                }
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
    /// The classic YOLOv5 feature visualisation: the first <paramref name="count"/> channels of
    /// <paramref name="layer"/> tiled ⌈√count⌉ columns wide, each channel min-max normalised: [rows·h, cols·w].
    /// </summary>
    public Tensor FeatureGrid(Tensor input, string layer, int count)
    {
        layer = YoloModel.NormalizeLayerName(layer);
        using var tape = new Tape();
        Model.Forward(Var.Input(input));
        var v = tape.Find(layer) ?? throw new ArgumentException($"feature grid: no layer named {layer}");
        var grid = FeatureGrids.Tile(v.Value, count);
        input.Device.Synchronize();
        return grid;
    }

    void CheckTargets(YoloTargets targets)
    {
        var head = Model.Head;
        foreach (var t in targets.Items)
        {
            if (t.Level < 0 || t.Level >= head.Levels || t.Anchor < 0 || t.Anchor >= head.AnchorsPerLevel ||
                t.ClassId < 0 || t.ClassId >= head.Classes || t.GridY < 0 || t.GridX < 0)
                throw new ArgumentException($"CAM: target {t} is outside the Detect head ({head.Levels} levels, {head.AnchorsPerLevel} anchors, {head.Classes} classes)");
        }
    }

    string[] ResolveLayers(IReadOnlyList<string> requested, YoloTargets targets)
    {
        var layers = new List<string>();
        foreach (var name in requested)
        {
            if (name.Equals(CamRequest.Auto, StringComparison.OrdinalIgnoreCase))
                layers.AddRange(targets.Items.Select(t => t.Level).Distinct().Order().Select(AutoLayer));
            else layers.Add(YoloModel.NormalizeLayerName(name.Trim()));
        }
        if (layers.Count == 0) throw new ArgumentException("CAM: no layer requested");
        return layers.Distinct().ToArray();
    }

    /// <summary>K seeds per Detect level, written on the device from the level outputs (see <see cref="ICamKernels.Seeds"/>).</summary>
    List<(Var Output, Tensor Grad)> Seeds(Device device, ICamKernels kernels, Var[] outputs, YoloTargets targets)
    {
        var head = Model.Head;
        int k = targets.Count, no = head.Classes + 5;
        var table = new float[5 * k];
        var scales = new float[k];
        for (int i = 0; i < k; i++)
        {
            var t = targets.Items[i];
            var shape = outputs[t.Level].Shape;
            if (t.GridY >= shape[2] || t.GridX >= shape[3])
                throw new ArgumentException($"CAM: target {t} is outside level {t.Level}'s {shape[2]}x{shape[3]} grid");
            table[5 * i] = t.Level;
            table[5 * i + 1] = t.Anchor * no + 4;
            table[5 * i + 2] = t.Anchor * no + 5 + t.ClassId;
            table[5 * i + 3] = t.GridY * shape[3] + t.GridX;
            table[5 * i + 4] = targets.Score == CamScore.Confidence ? 1 : 0;
            scales[i] = t.Scale;
        }
        using var tableT = Tensor.FromArray(device, table, 5 * k);
        using var scalesT = Tensor.FromArray(device, scales, k);
        var seeds = new List<(Var, Tensor)>();
        for (int level = 0; level < outputs.Length; level++)
        {
            // A level no target is on would seed zeros: leaving it out skips its Detect conv's backward.
            if (!targets.Items.Any(t => t.Level == level)) continue;
            var o = outputs[level];
            var seed = Tensor.Empty(device, [k, .. o.Shape]);
            kernels.Seeds(o.Value, tableT, scalesT, level, seed);
            seeds.Add((o, seed));
        }
        return seeds;
    }

    /// <summary>One method's maps [K, h, w] and ranges at one layer. A missing gradient is a zero gradient.</summary>
    static CamMap Method(ICamKernels kernels, CamMethod method, string layer, Tensor a, Tensor? g, int k, CamRequest request)
    {
        var device = a.Device;
        int c = a.Shape[1], h = a.Shape[2], w = a.Shape[3], p = h * w;
        var map = Tensor.Empty(device, k, h, w);
        var range = Tensor.Empty(device, k, 2);
        try
        {
            if (g is null && method != CamMethod.EigenCam) device.Backend.Fill(map, 0f);
            else switch (method)
            {
                case CamMethod.GradCam or CamMethod.GradCamPlusPlus or CamMethod.XGradCam:
                {
                    using var weights = Tensor.Empty(device, k, c);
                    kernels.ChannelWeights(method, a, g!, weights, request.GradCamPlusPlusEpsilon);
                    kernels.WeightedSum(a, weights, map);
                    break;
                }
                case CamMethod.LayerCam or CamMethod.HiResCam:
                    kernels.PixelSum(method, a, g!, map);
                    break;
                case CamMethod.EigenCam:
                {
                    // Target-independent: one projection of A, copied to every target's slot.
                    using var scratch = Tensor.Empty(device, IlgpuCamKernels.EigenScratch(1, c, p));
                    using var first = map.Slice(0, 1, h, w);
                    kernels.EigenProjection(a, c, p, first, request.PowerIterations, scratch);
                    for (int i = 1; i < k; i++)
                    {
                        using var slot = map.Slice(i * p, 1, h, w);
                        slot.View.CopyFrom(first.View);
                    }
                    break;
                }
                default: // EigenGradCam
                {
                    using var product = Tensor.Empty(device, k, c, h, w);
                    kernels.Product(a, g!, product);
                    using var scratch = Tensor.Empty(device, IlgpuCamKernels.EigenScratch(k, c, p));
                    kernels.EigenProjection(product, c, p, map, request.PowerIterations, scratch);
                    break;
                }
            }
            kernels.MapRange(map, p, range);
            return new CamMap(layer, method, map, range);
        }
        catch
        {
            map.Dispose();
            range.Dispose();
            throw;
        }
    }
}
