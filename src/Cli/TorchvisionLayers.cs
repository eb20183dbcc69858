using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Detectors;
using NativeCam.Imaging;
using NativeCam.Tensors;

namespace NativeCam.Cli;

/// <summary>`nativecam layers` on a torchvision detector file: every named value of one forward on a blank image.</summary>
static class TorchvisionLayers
{
    /// <summary>
    /// Runs <paramref name="forward"/> once on a blank <paramref name="size"/>² image resized by <paramref name="transform"/>
    /// and prints the named values (table-like text, closed by <paramref name="autoLayer"/>, or JSON); returns the exit code.
    /// </summary>
    public static int Print(Device device, RcnnOptions transform, Action<Var, RcnnInput> forward, string description, int size, bool json, string autoLayer)
    {
        using var tape = new Tape();
        var blank = new RgbImage(size, size, new byte[size * size * 3]);
        var input = RcnnTransform.Apply(blank, transform);
        forward(tape.Untracked(Tensor.FromArray(device, input.Pixels, 1, 3, input.PaddedH, input.PaddedW)), input);
        var rows = tape.NamingOrder.Select(n => (Name: n, Shape: tape.Named[n].Shape)).ToList();
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { name = r.Name, shape = r.Shape }), new JsonSerializerOptions { WriteIndented = true }));
        else
        {
            foreach (var (name, shape) in rows) Console.WriteLine($"{name,-44} {Tensor.Format(shape)}");
            Console.WriteLine($"{rows.Count} named layers of {description}; a {size}x{size} image is resized to {input.ResizedH}x{input.ResizedW}, padded to {input.PaddedH}x{input.PaddedW}");
            Console.WriteLine(autoLayer);
        }
        return 0;
    }
}
