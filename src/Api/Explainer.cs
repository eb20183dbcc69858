using NativeCam.Cam;
using NativeCam.Cam.Classifiers;
using NativeCam.Cam.Vit;
using NativeCam.Classifiers;
using NativeCam.Imaging;
using NativeCam.Layers;
using NativeCam.Tensors;
using NativeCam.Vit;
using NativeCam.Weights;
using NativeCam.Yolo;

namespace NativeCam;

/// <summary>
/// The common case in a few lines (docs/api.md): <c>using var explainer = Explainer.Load("yolov5n.pt");</c> then
/// <c>explainer.Explain("bus.jpg").Save("out")</c>. The family (YOLOv5 detector, torchvision classifier, ViT) is
/// read from the weight file's content; each explained image costs one forward and one backward pass.
/// Dispose it to free the model and the device.
/// </summary>
public sealed class Explainer : IDisposable
{
    readonly Device _device;
    readonly IFamily _family;

    Explainer(Device device, IFamily family)
    {
        _device = device;
        _family = family;
    }

    /// <summary>Which kind of network was loaded.</summary>
    public ModelFamily Family => _family.Family;

    /// <summary>The model's class names, by class index.</summary>
    public IReadOnlyList<string> ClassNames => _family.ClassNames;

    /// <summary>The accelerator in words (e.g. "CPU (SIMD, 16 threads)").</summary>
    public string Device => _device.Description;

    /// <summary>The gradient methods' and smoothing settings (Integrated Gradients' steps, SmoothGrad's noise, eigen_smooth,
    /// aug_smooth) of every later <see cref="Explain(string, CamMethod?, int, IReadOnlyList{string}?)"/>; the defaults change nothing.</summary>
    public MethodSettings Settings { get => _family.Settings; set => _family.Settings = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>
    /// Loads a weight file (<c>.pt</c>/<c>.pth</c> checkpoint, <c>.safetensors</c> or converted <c>.msgpack</c>) onto
    /// <paramref name="device"/>: auto (CUDA, then OpenCL, then the SIMD CPU backend), cuda, opencl or cpu; null
    /// reads $NATIVECAM_DEVICE, else auto. <paramref name="vitHeads"/>: a ViT's attention heads when its width is
    /// not ViT-B's 768 (files do not record it).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is no supported network.</exception>
    public static Explainer Load(string weights, string? device = null, int? vitHeads = null)
    {
        var file = WeightFile.Load(weights);
        var dev = NativeCam.Tensors.Device.Open(device);
        try { return new Explainer(dev, Build(dev, file, Path.GetFileName(weights), vitHeads, Path.GetDirectoryName(Path.GetFullPath(weights)))); }
        catch
        {
            dev.Dispose();
            throw;
        }
    }

    static IFamily Build(Device device, WeightFile file, string name, int? vitHeads, string? folder)
    {
        switch (file.Metadata.Architecture)
        {
            case ArchitectureKinds.Yolov5:
                return new DetectorFamily(new YoloDetector(device, YoloModel.Build(device, YoloCheckpoint.FromWeights(file, name))));
            case ArchitectureKinds.Yolov8:
                return new DetectorFamily(Yolov8Detector.FromWeights(device, file, name));
            case ArchitectureKinds.VitTimm or ArchitectureKinds.VitTorchvision or ArchitectureKinds.VitHuggingFace:
                var vitCheckpoint = VitCheckpoint.FromWeights(file, name, vitHeads, folder); // Hugging Face: its JSON configs beside the file
                var vit = VitModel.Build(device, vitCheckpoint);
                int size = vit.Config.ImageSize;
                return new ClassFamily(ModelFamily.Vit, device, new VitCamAdapter(vit), vitCheckpoint.ClassNames ?? ImageNetClasses.For(vit.Config.Classes),
                    image => VitPreprocess.Apply(image, size, vitCheckpoint.Input), vit);
            default:
                var checkpoint = ClassifierCheckpoint.FromTensors(file.Tensors.Select(t => KeyValuePair.Create(t.Name, new HostTensor(t.ToFloat32(), t.Shape))));
                var model = ClassifierModel.Build(device, checkpoint);
                var transform = ClassifierInput.Transform(model.Arch); // Inception v3 342/299, EfficientNet (bicubic) and ConvNeXt their own
                return new ClassFamily(ModelFamily.Classifier, device, new ClassifierCamAdapter(model), ImageNetClasses.For(model.Arch.Classes),
                    transform.Apply, model);
        }
    }

    /// <summary>
    /// Explains the image at <paramref name="imagePath"/> (JPEG, PNG or BMP). <paramref name="method"/>: null for the
    /// family's default (LayerCAM for detectors, Grad-CAM for classifiers). Classifiers explain the
    /// <paramref name="top"/> best classes, or <paramref name="classes"/> (names or ids) when given; detectors explain
    /// every detection, of <paramref name="classes"/> only when given.
    /// </summary>
    public Explanation Explain(string imagePath, CamMethod? method = null, int top = 1, IReadOnlyList<string>? classes = null) =>
        Explain(ImageLoader.Load(imagePath), method, top, classes, Path.GetFileName(imagePath));

    /// <summary>Explains a decoded image; as <see cref="Explain(string, CamMethod?, int, IReadOnlyList{string}?)"/>.</summary>
    public Explanation Explain(RgbImage image, CamMethod? method = null, int top = 1, IReadOnlyList<string>? classes = null,
        string source = "image")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var ids = classes?.Select(ClassId).Distinct().ToArray();
        return _family.Explain(source, image, method ?? _family.DefaultMethod, top, ids);
    }

    /// <summary>A class id ("207") or name ("golden retriever", any case) → the id.</summary>
    public int ClassId(string nameOrId)
    {
        var names = ClassNames;
        if (int.TryParse(nameOrId, out int id))
            return id >= 0 && id < names.Count ? id : throw new ArgumentException($"class {id} is out of range: this model has classes 0..{names.Count - 1}");
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], nameOrId.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"unknown class '{nameOrId}': give an id 0..{names.Count - 1} or a name such as '{names[Math.Min(1, names.Count - 1)]}'");
    }

    /// <summary>Frees the model and the device.</summary>
    public void Dispose()
    {
        _family.Dispose();
        _device.Dispose();
    }
}
