using System.CommandLine;
using NativeCam.Autograd;
using NativeCam.Cli.Reports;
using NativeCam.Tensors;
using NativeCam.Vit;

namespace NativeCam.Cli;

/// <summary>`nativecam classify IMAGE|DIR... --weights W`: the top-K classes of a torchvision classifier, per image.</summary>
public static class ClassifyCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images or folders.", Arity = ArgumentArity.ZeroOrMore };
        var options = new ClassifierOptions();
        var cmd = new Command("classify",
            "Classify images with a torchvision classifier (ResNet, ResNeXt, Wide ResNet, VGG, DenseNet, MobileNet v2), the " +
            "architecture read from the state dict, preprocessing equal to torchvision's (docs/classifiers.md).\n\nExamples:\n" +
            "  nativecam classify samples/bus.jpg --weights resnet50.pth\n" +
            "  nativecam classify samples/ --weights densenet121.pth --top 3 --json\n" +
            "  nativecam classify --tensor input.npy --weights vgg16.pth --arch vgg16");
        cmd.Arguments.Add(images);
        options.AddTo(cmd, withClass: false);
        cmd.SetAction(parse =>
        {
            var s = options.Read(parse, defaultTop: 5);
            var files = ImageInputs.Expand(parse.GetValue(images) ?? []);
            if (files.Count == 0 && s.Tensor is null) throw new CliError("give an image, a folder or --tensor (try: nativecam classify samples/bus.jpg --weights resnet50.pth)");
            if (files.Count > 0 && s.Tensor != null) throw new CliError("give images or --tensor, not both");
            using var device = CommonOptions.OpenDevice(s.Device);
            using var model = ClassifierOptions.Load(device, s);
            s = s.For(model.Arch); // the published weights' sizes (Inception v3 342/299, EfficientNet, ConvNeXt) unless --size/--resize
            var names = ImageNetClasses.For(model.Arch.Classes);
            var reports = new List<ClassifyReport>();
            var inputs = files.Count > 0 ? files.Select(f => (string?)f).ToList() : [null];
            int failures = PerInput.Each(inputs.Count, k =>
            {
                string? file = inputs[k];
                var (_, data, shape) = ClassifierOptions.Prepare(s, file);
                using var input = Tensor.FromArray(device, data, shape);
                float[] logits;
                try
                {
                    using var tape = new Tape();
                    logits = model.Forward(Var.Input(input)).Value.ToArray();
                }
                catch (NativeCam.Classifiers.InputTooSmallException e) { throw new CliError($"{Path.GetFileName(file ?? s.Tensor!)}: {e.Message}", ExitCodes.SomeInputsFailed); }
                var p = ClassifierOptions.Softmax(logits);
                var top = ClassifierOptions.Top(logits, s.Top).Select(i => new ClassPrediction(i, names[i], Math.Round(logits[i], 6), Math.Round(p[i], 6))).ToList();
                var report = new ClassifyReport(Path.GetFileName(file ?? s.Tensor!), [shape[2], shape[3]], model.Arch.Name, Path.GetFileName(s.Weights), device.Description, top);
                reports.Add(report);
                if (!s.Json) Console.WriteLine($"{report.Image}: {string.Join(", ", top.Select(t => $"{t.ClassId} {t.ClassName} {t.Probability:F3}"))}");
            });
            if (s.Json) Console.WriteLine(ReportJson.Serialize(reports)); // always an array, one report per image (docs/report.md)
            return PerInput.ExitCode(failures);
        });
        return cmd;
    }
}
