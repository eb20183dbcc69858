using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>`nativecam layers` on a torchvision Faster R-CNN file: every named value of one forward on a blank image.</summary>
public static class RcnnLayers
{
    /// <summary>Prints the layers (table-like text or JSON); returns the exit code.</summary>
    public static int Print(Device device, string path, int size, bool json)
    {
        using var model = RcnnFiles.Load(device, path);
        return TorchvisionLayers.Print(device, model.Options, (x, input) => model.Forward(x, input), model.Arch.Description, size, json,
            $"detect-cam's default layer (auto): the FPN level each box is pooled from, {string.Join(", ", model.LevelNames.Take(4))}");
    }
}
