using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Detectors;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>`nativecam layers` on a torchvision RetinaNet file: every named value of one forward on a blank image.</summary>
public static class RetinaLayers
{
    /// <summary>Prints the layers (text or JSON); returns the exit code.</summary>
    public static int Print(Device device, string path, int size, bool json)
    {
        using var model = RetinaFiles.Load(device, path);
        using var tape = new Tape();
        var blank = new RgbImage(size, size, new byte[size * size * 3]);
        var input = RcnnTransform.Apply(blank, model.Options.Transform);
        model.Forward(tape.Untracked(Tensor.FromArray(device, input.Pixels, 1, 3, input.PaddedH, input.PaddedW)), input);
        var rows = tape.NamingOrder.Select(n => (Name: n, Shape: tape.Named[n].Shape)).ToList();
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { name = r.Name, shape = r.Shape }), new JsonSerializerOptions { WriteIndented = true }));
        else
        {
            foreach (var (name, shape) in rows) Console.WriteLine($"{name,-44} {Tensor.Format(shape)}");
            Console.WriteLine($"{rows.Count} named layers of {model.Arch.Description}; a {size}x{size} image is resized to {input.ResizedH}x{input.ResizedW}, padded to {input.PaddedH}x{input.PaddedW}");
            Console.WriteLine($"the head's module paths name its output on the last level (P7); detect-cam's default layer (auto): each box's level, {string.Join(", ", model.LevelNames)}");
        }
        return 0;
    }
}
