using NativeCam.Cam;
using NativeCam.Cam.Detectors;
using NativeCam.Detectors;
using NativeCam.Imaging;

namespace NativeCam.Cli;

/// <summary>
/// The seam between <see cref="TorchvisionCamJob{TDetection, TJson}"/> and one torchvision detector family
/// (Faster R-CNN, RetinaNet): what the job reads from the loaded model, and how it explains, draws and records
/// that family's detections.
/// </summary>
/// <param name="ArchName">The report's family (the architecture's name).</param>
/// <param name="DeviceDescription">The report's device.</param>
/// <param name="Names">Class names by label.</param>
/// <param name="Explain">One forward and one K-target backward sweep for an image.</param>
/// <param name="Draw">A detection's box, score and label.</param>
/// <param name="Record">A detection as report.json records it, by its index.</param>
public sealed record TorchvisionCamFamily<TDetection, TJson>(
    string ArchName,
    string DeviceDescription,
    IReadOnlyList<string> Names,
    Func<RgbImage, CamRequest, RcnnScore, (IReadOnlyList<TDetection> Detections, RcnnInput Input, CamResult Maps)> Explain,
    Func<TDetection, (Box Box, float Score, int Label)> Draw,
    Func<int, TDetection, TJson> Record);

/// <summary>What a torchvision detector's report.json holds (docs/detectors.md#report); its detections are the family's.</summary>
public sealed record TorchvisionCamReport<TJson>(string image, string output, int[] image_hw, int[] input_hw, string family, string device,
    string weights, string method, string score, IReadOnlyList<TJson> detections, IReadOnlyList<TorchvisionMapJson> maps);

/// <summary>One overlay of a torchvision detector's report.</summary>
public sealed record TorchvisionMapJson(int detection, string layer, string method, string file, string? raw, double min, double max, bool empty);
