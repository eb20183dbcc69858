using System.CommandLine;
using System.Diagnostics;
using NativeCam.Weights;

namespace NativeCam.Cli;

/// <summary>`nativecam convert in.pt [out.msgpack]`: PyTorch checkpoint -> NativeCam weight file.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("checkpoint")
        {
            Description = "PyTorch checkpoint (.pt/.pth: zip from torch.save since 1.6, or the legacy pre-1.6 format; a state dict, " +
                "a training checkpoint or a whole pickled model) or a .safetensors file; recognised by content.",
        };
        var output = new Argument<string?>("output")
        {
            Description = "Weight file to write. Default: <checkpoint name>.msgpack in the current folder.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var keepHalf = new Option<bool>("--keep-half") { Description = "Keep float16/bfloat16 tensors as they are (without it, they are widened to float32)." };
        var cmd = new Command("convert",
            "Convert a PyTorch checkpoint or safetensors file to a NativeCam weight file. The checkpoint is read without " +
            "Python and nothing in it is executed; a file that asks to run code is refused. Tensors keep today's " +
            "state_dict names: a DataParallel 'module.' prefix is removed and torchvision's old DenseNet names renamed.\n\n" +
            "Why convert: every command reads checkpoints directly, so converting is optional. The weight file is one plain " +
            "MessagePack value (docs/weights-format.md) that any language can read without a pickle interpreter, it records " +
            "where the weights came from, and --keep-half keeps fp16 weights at half the size.\n\n" +
            "Example:\n  nativecam convert samples/yolov5n.pt\n  nativecam convert resnet101-5d3b4d8f.pth\n  nativecam convert model.safetensors\n" +
            "  nativecam convert samples/yolov5n.pt yolov5n-half.msgpack --keep-half");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(output);
        cmd.Options.Add(keepHalf);
        cmd.SetAction(parse =>
        {
            string source = parse.GetValue(input)!;
            string target = parse.GetValue(output) ?? Path.GetFileName(CheckpointConverter.DefaultOutputPath(source)); // next to the user, not the input
            var options = new ConvertOptions { KeepHalf = parse.GetValue(keepHalf) };
            var clock = Stopwatch.StartNew();
            var result = WeightErrors.Guard(source, () => CheckpointConverter.Convert(source, target, options));
            var m = result.Metadata;
            string classes = m.ClassNames.Count > 0 ? $", {m.ClassNames.Count} classes" : "";
            Console.WriteLine($"converted {Path.GetFileName(source)} ({m.Source.Format}) -> {result.OutputPath}: {result.TensorCount} tensors, " +
                $"{result.ElementCount:N0} values, {m.Architecture}{classes} ({result.OutputBytes:N0} bytes, {clock.Elapsed.TotalSeconds:F2} s)");
            return 0;
        });
        return cmd;
    }
}
