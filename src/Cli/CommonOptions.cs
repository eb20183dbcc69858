using System.CommandLine;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>Options several commands share, defined once.</summary>
public static class CommonOptions
{
    public static Option<string?> Device() => new("--device")
    {
        Description = "Accelerator: auto (CUDA, then OpenCL, then the SIMD CPU backend), cuda, opencl, cpu, or ilgpu-cpu (the GPU kernels on ILGPU's slow CPU simulator). Default: $NATIVECAM_DEVICE or auto.",
    };

    public static Option<int> ImageSize() => new("--img-size")
    {
        Description = "Network input size in pixels (a multiple of 32).",
        DefaultValueFactory = _ => 640,
    };

    public static Option<long> MaxPixels() => new("--max-pixels")
    {
        Description = "Refuse images larger than this many pixels (width x height), checked before decoding; the default is PIL's limit.",
        DefaultValueFactory = _ => NativeCam.Imaging.ImageLoader.DefaultMaxPixels,
    };

    public static long CheckMaxPixels(long pixels) =>
        pixels >= 1 ? pixels : throw new CliError($"--max-pixels must be at least 1, got {pixels}");

    /// <summary>An --out folder: any path but an empty one.</summary>
    public static string CheckOut(string? folder) =>
        string.IsNullOrWhiteSpace(folder) ? throw new CliError("--out needs a folder name") : folder;

    public static int CheckImageSize(int size) =>
        size >= 32 && size <= 4096 && size % 32 == 0 ? size
            : throw new CliError($"--img-size must be a multiple of 32 between 32 and 4096, got {size}");

    /// <summary>Loads a YOLOv5 model (what features and metrics read), turning unreadable or unsupported files,
    /// YOLOv8 ones included, into one-line errors.</summary>
    public static NativeCam.Yolo.YoloDetector LoadDetector(Device device, string path) =>
        LoadAnyDetector(device, path) switch
        {
            NativeCam.Yolo.YoloDetector v5 => v5,
            var other => Refuse(other, path),
        };

    static NativeCam.Yolo.YoloDetector Refuse(NativeCam.Yolo.IDetector detector, string path)
    {
        detector.Dispose();
        throw new CliError($"{Path.GetFileName(path)}: a {detector.Family} checkpoint: this command reads YOLOv5 only so far (detect, detect-cam, features and layers read {detector.Family})");
    }

    /// <summary>Loads a detector of whichever family the file holds (YOLOv5 or Ultralytics YOLOv8), errors as one line.</summary>
    public static NativeCam.Yolo.IDetector LoadAnyDetector(Device device, string path) =>
        WeightErrors.Guard(path, () =>
        {
            try { return NativeCam.Yolo.YoloDetector.LoadAny(device, path); }
            catch (InvalidDataException e) { throw new CliError($"{Path.GetFileName(path)}: {e.Message}"); }
        });

    public static Device OpenDevice(string? choice)
    {
        try { return NativeCam.Tensors.Device.Open(choice); }
        catch (DeviceUnavailableException e) { throw new CliError(e.Message); }
    }
}
