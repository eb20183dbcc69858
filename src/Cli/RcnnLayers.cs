using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Detectors;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>`nativecam layers` on a torchvision Faster R-CNN file: every named value of one forward on a blank image.</summary>
public static class RcnnLayers
{
    /// <summary>Prints the layers (table-like text or JSON); returns the exit code.</summary>
    public static int Print(Device device, string path, int size, bool json)
    {
        using var model = RcnnFiles.Load(device, path);
        using var tape = new Tape();
        var blank = new RgbImage(size, size, new byte[size * size * 3]);
        var input = RcnnTransform.Apply(blank, model.Options);
        model.Forward(tape.Untracked(Tensor.FromArray(device, input.Pixels, 1, 3, input.PaddedH, input.PaddedW)), input);
        var rows = tape.NamingOrder.Select(n => (Name: n, Shape: tape.Named[n].Shape)).ToList();
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { name = r.Name, shape = r.Shape }), new JsonSerializerOptions { WriteIndented = true }));
        else
        {
            foreach (var (name, shape) in rows) Console.WriteLine($"{name,-44} {Tensor.Format(shape)}");
            Console.WriteLine($"{rows.Count} named layers of {model.Arch.Description}; a {size}x{size} image is resized to {input.ResizedH}x{input.ResizedW}, padded to {input.PaddedH}x{input.PaddedW}");
            Console.WriteLine($"detect-cam's default layer (auto): the FPN level each box is pooled from, {string.Join(", ", model.LevelNames.Take(4))}");
        }
        return 0;
    }
}
