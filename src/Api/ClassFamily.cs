using NativeCam.Cam;
using NativeCam.Cam.Metrics;
using NativeCam.Cam.Render;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam;

/// <summary>
/// Classifiers and ViT: preprocess (the picture the network sees, and its input) → <see cref="ClassPass"/> → each
/// class's map at the adapter's default layer, on that picture. The classes are the <c>top</c> best, or those asked.
/// </summary>
sealed class ClassFamily(ModelFamily family, Device device, ICamAdapter<ClassTargets> adapter, IReadOnlyList<string> names,
    Func<RgbImage, (RgbImage Picture, float[] Input)> preprocess, IDisposable model) : IFamily
{
    public ModelFamily Family => family;
    public IReadOnlyList<string> ClassNames => names;
    public CamMethod DefaultMethod => CamMethod.GradCam;
    public MethodSettings Settings { get; set; } = new();

    public Explanation Explain(string source, RgbImage image, CamMethod method, int top, IReadOnlyList<int>? classes)
    {
        var (picture, data) = preprocess(image);
        int h = picture.Height, w = picture.Width;
        using var input = Tensor.FromArray(device, data, 1, 3, h, w);
        using var pass = ClassPass.Run(adapter, input, logits => classes?.ToArray() ?? ClassPass.Top(logits, top),
            Settings.Request(method, adapter.DefaultLayers));
        var map = pass.Result.Maps[0].Map;
        var info = new LetterboxInfo(1, 0, 0, 0, 0, 0, 0, h, w, h, w, h, w); // the picture is the input: no padding
        var rendered = HeatmapRenderer.Render(map, info, picture);
        var maps = ImageMaps.ToImage(map, info);
        var p = pass.Probabilities();
        var targets = pass.Classes.Select((c, k) => new ExplainedTarget(k, c, names[c], p[c], null,
            Methods.ToGrid(maps[k], h, w), rendered.Overlays[k])).ToList();
        return new Explanation(source, picture, Methods.Name(method), targets);
    }

    public void Dispose() => model.Dispose();
}
