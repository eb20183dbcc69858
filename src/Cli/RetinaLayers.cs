using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>`nativecam layers` on a torchvision RetinaNet file: every named value of one forward on a blank image.</summary>
public static class RetinaLayers
{
    /// <summary>Prints the layers (text or JSON); returns the exit code.</summary>
    public static int Print(Device device, string path, int size, bool json)
    {
        using var model = RetinaFiles.Load(device, path);
        return TorchvisionLayers.Print(device, model.Options.Transform, (x, input) => model.Forward(x, input), model.Arch.Description, size, json,
            "the head's module paths name its output on the last level (P7); detect-cam's default layer (auto): each box's level, " +
            string.Join(", ", model.LevelNames));
    }
}
