using NativeCam.Cam;
using NativeCam.Imaging;

namespace NativeCam;

/// <summary>What <see cref="Explainer"/> needs of one model family: its classes and one explained image.</summary>
interface IFamily : IDisposable
{
    ModelFamily Family { get; }
    IReadOnlyList<string> ClassNames { get; }
    /// <summary>The method docs/cam-defaults.md (detectors) or pytorch-grad-cam (classifiers) use by default.</summary>
    CamMethod DefaultMethod { get; }
    /// <summary>The gradient methods' and smoothing settings every explanation uses.</summary>
    MethodSettings Settings { get; set; }
    Explanation Explain(string source, RgbImage image, CamMethod method, int top, IReadOnlyList<int>? classes);
}
