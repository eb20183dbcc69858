using System.Text.Json;
using NativeCam.Autograd;
using NativeCam.Cam.Vit;
using NativeCam.Cli;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Tests.Vit;
using NativeCam.Vit;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>`nativecam vit-cam` run as a user runs it, on the small ViT fixture (32×32 input, 8×8 patches → a 4×4
/// map, 2 heads, 5 classes), with maps checked against VitExplain in process, and its error paths.</summary>
public class VitCamCommandTests
{
    static string Root => Yolo.YoloFixture.RepoRoot();
    static string Zidane => Path.Combine(Root, "samples", "zidane.jpg");
    /// <summary>zidane.jpg through torchvision's transform at crop 32 (tests/reference/vit_preprocess_reference.py).</summary>
    static string ZidaneTensor => Path.Combine(VitFixture.Folder, "zidane_vit32.npy");

    static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), $"nc-vit-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    static CliResult Run(params string[] args) =>
        CliProcess.RunIn(Root, ["vit-cam", .. args, "--weights", VitFixture.Timm, "--heads", "2", "--device", "cpu"]);

    [Fact]
    public void A_folder_run_writes_each_image_a_sheet_an_index_and_a_summary()
    {
        var root = TempDir();
        try
        {
            string images = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
            File.Copy(Zidane, Path.Combine(images, "a&b.jpg"));
            File.Copy(Path.Combine(Root, "samples", "bus.jpg"), Path.Combine(images, "<img onerror=x>.jpg"));
            string outDir = Path.Combine(root, "out");
            var run = Run(images, "--out", outDir, "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            Assert.Equal(2, doc.RootElement.GetArrayLength());
            Assert.Matches(@"(^|\n)2 images, 2 classes, 0 failed in [\d.]+ s -> .*index\.html\n$", run.StdErr);
            foreach (var name in new[] { "a&b", "<img onerror=x>" })
            {
                Assert.True(File.Exists(Path.Combine(outDir, name, "sheet.jpg")));
                var sheet = ImageLoader.Load(Path.Combine(outDir, name, "sheet.jpg"));
                Assert.True(sheet.Width >= 64, $"{sheet.Width}"); // the 32-pixel crop, enlarged twice, with its legend
            }
            string html = File.ReadAllText(Path.Combine(outDir, "index.html"));
            Assert.Contains("href=\"a%26b/a%26b_rollout.jpg\"", html); // the overlay, URL-encoded
            Assert.DoesNotContain("<img onerror", html);
            Assert.Equal("sheet.jpg", doc.RootElement[0].GetProperty("sheet").GetString());
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("rollout")]
    [InlineData("grad-rollout")]
    [InlineData("chefer")]
    [InlineData("gradcam")]
    public void Each_method_on_an_image_writes_an_overlay_on_the_crop_a_raw_map_and_a_report(string method)
    {
        var outDir = TempDir();
        try
        {
            var run = Run(Zidane, "--method", method, "--class", "3", "--out", outDir, "--dump-maps");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Matches($@"zidane\.jpg: 3 class3 \(p [0-9.]+; top-1 [0-4] class[0-4]\) — {method} map in [0-9.]+ s on cpu", run.StdOut);

            var folder = Path.Combine(outDir, "zidane");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            var r = doc.RootElement;
            foreach (var key in new[] { "image", "input_hw", "device", "weights", "method", "class_id", "class_name", "logits", "map", "timings_ms" })
                Assert.True(r.TryGetProperty(key, out _), $"report lacks {key}");
            Assert.Equal("zidane.jpg", r.GetProperty("image").GetString());
            Assert.Equal(new[] { 32, 32 }, r.GetProperty("input_hw").EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal(method, r.GetProperty("method").GetString());
            Assert.Equal(3, r.GetProperty("class_id").GetInt32());
            Assert.Equal("class3", r.GetProperty("class_name").GetString());
            var logits = r.GetProperty("logits").EnumerateArray().ToArray();
            Assert.Equal(5, logits.Length);
            foreach (var l in logits)
                foreach (var key in new[] { "class_id", "class_name", "logit", "probability" })
                    Assert.True(l.TryGetProperty(key, out _), $"logit entry lacks {key}");
            Assert.Equal(1.0, logits.Sum(l => l.GetProperty("probability").GetDouble()), 1e-4);
            Assert.True(logits.Zip(logits.Skip(1)).All(p => p.First.GetProperty("logit").GetDouble() >= p.Second.GetProperty("logit").GetDouble()));
            foreach (var key in new[] { "decode", "preprocess", "forward", "backward", "cam", "render", "write", "total" })
                Assert.True(r.GetProperty("timings_ms").GetProperty(key).GetDouble() >= 0);

            var map = r.GetProperty("map");
            Assert.Equal($"zidane_{method}.jpg", map.GetProperty("file").GetString());
            Assert.False(map.GetProperty("empty").GetBoolean());
            Assert.True(map.GetProperty("max").GetDouble() > map.GetProperty("min").GetDouble());
            var overlay = ImageLoader.Load(Path.Combine(folder, map.GetProperty("file").GetString()!));
            Assert.Equal((32, 32), (overlay.Height, overlay.Width));
            var (raw, shape) = Npy.Read(Path.Combine(folder, map.GetProperty("raw_file").GetString()!));
            Assert.Equal([4, 4], shape);
            Assert.All(raw, v => Assert.True(v >= 0 && float.IsFinite(v)));
            Assert.DoesNotContain(Directory.GetDirectories(outDir), d => Path.GetFileName(d).StartsWith('.'));
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    /// <summary>The --dump-maps map of a --tensor run equals VitExplain on the same model's attentions in process.</summary>
    [Theory]
    [InlineData("rollout", "max", 0.5, null)]
    [InlineData("rollout", "mean", 0.9, null)]
    [InlineData("grad-rollout", "mean", 0.9, 2)]
    [InlineData("chefer", "mean", 0.9, 1)]
    [InlineData("gradcam", "mean", 0.9, 4)]
    [InlineData("rollout", "max", 0.9, null, true)]
    [InlineData("grad-rollout", "mean", 0.5, 3, true)]
    public void Tensor_input_maps_equal_VitExplain_in_process(string method, string fusion, double discard, int? cls, bool vitExplain = false)
    {
        var outDir = TempDir();
        try
        {
            string[] classArgs = [.. cls is null ? [] : new[] { "--class", cls.Value.ToString() }, .. vitExplain ? new[] { "--compat", "vit-explain" } : []];
            var run = Run(["--tensor", ZidaneTensor, "--method", method, "--head-fusion", fusion, "--discard", discard.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--out", outDir, "--dump-maps", "--json", .. classArgs]);
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            var r = doc.RootElement.EnumerateArray().Single(); // --json is always an array, one report per image
            Assert.Equal("zidane_vit32.npy", r.GetProperty("image").GetString());
            var folder = Path.Combine(outDir, "zidane_vit32");
            var (cli, shape) = Npy.Read(Path.Combine(folder, r.GetProperty("map").GetProperty("raw_file").GetString()!));
            Assert.Equal([4, 4], shape);
            Assert.Equal((32, 32), (ImageLoader.Load(Path.Combine(folder, $"zidane_vit32_{method}.jpg")) is var o ? (o.Height, o.Width) : default));

            var expected = InProcess(method, Enum.Parse<HeadFusion>(fusion, ignoreCase: true), discard, cls, vitExplain, out int top1);
            Assert.Equal(cls ?? top1, r.GetProperty("class_id").GetInt32());
            Assert.Equal(vitExplain ? "vit-explain" : null, r.GetProperty("compat").GetString());
            Assert.Equal(method is "rollout" or "grad-rollout" ? discard : 0, r.GetProperty("discard_ratio").GetDouble());
            Assert.Equal(expected.Length, cli.Length);
            for (int i = 0; i < cli.Length; i++) Assert.True(Math.Abs(cli[i] - expected[i]) <= 1e-5, $"map[{i}]: cli {cli[i]} vs in-process {expected[i]}");
            Assert.Contains(expected, v => v > 0);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    static float[] InProcess(string method, HeadFusion fusion, double discard, int? cls, bool vitExplain, out int top1)
    {
        var device = TestDevice.Default;
        using var model = VitModel.Build(device, VitCheckpoint.Load(VitFixture.Timm, heads: 2));
        var (data, shape) = Npy.Read(ZidaneTensor);
        using var x = Tensor.FromArray(device, data, shape);
        using var tape = new Tape();
        var names = model.AttentionNames.ToArray();
        tape.Watch([.. names, "blocks.1.norm1"]);
        var logits = model.Forward(Var.Input(x));
        var host = logits.Value.ToArray();
        top1 = Array.IndexOf(host, host.Max());
        var attentions = names.Select(n => tape.Find(n)!.Value).ToList();
        if (method == "rollout")
        {
            using var rollout = vitExplain ? VitExplainCompat.AttentionRollout(attentions, fusion, discard) : VitExplain.AttentionRollout(attentions, fusion, discard);
            return rollout.ToArray();
        }
        var seed = new float[host.Length];
        seed[cls ?? top1] = 1;
        using (var g = Tensor.FromArray(device, seed, 1, 1, host.Length)) tape.Backward(logits, g);
        if (method is "grad-rollout" or "chefer")
        {
            var grads = names.Select(n => tape.Find(n)!.Grad!.Reshape([1, .. tape.Find(n)!.Shape[1..]])).ToList();
            using var map = method == "chefer" ? VitExplain.Chefer(attentions, grads)
                : vitExplain ? VitExplainCompat.GradientRollout(attentions, grads, discard)
                : VitExplain.GradientRollout(attentions, grads, discard);
            foreach (var g in grads) g.Dispose();
            return map.ToArray();
        }
        var tokens = tape.Find("blocks.1.norm1")!;
        using var t = tokens.Value.Reshape(tokens.Shape[1..]);
        using var gt = tokens.Grad!.Reshape(tokens.Grad!.Shape[1..]);
        using var cam = VitExplain.GradCam(t, gt);
        return cam.ToArray();
    }

    [Fact]
    public void A_Hugging_Face_model_folder_runs_with_its_labels_and_its_transform()
    {
        var outDir = TempDir();
        try
        {
            // No --heads: config.json beside model.safetensors says 2; id2label names the classes.
            var run = CliProcess.RunIn(Root, "vit-cam", Zidane, "--weights", Path.Combine(VitFixture.Folder, "hf", "model.safetensors"),
                "--method", "chefer", "--device", "cpu", "--out", outDir, "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            var r = doc.RootElement.EnumerateArray().Single();
            Assert.Matches("^label[0-4]$", r.GetProperty("class_name").GetString());
            Assert.Equal("model.safetensors", r.GetProperty("weights").GetString());
            Assert.False(r.GetProperty("map").GetProperty("empty").GetBoolean());
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void Mean_and_std_replace_the_checkpoints_normalisation()
    {
        var outDir = TempDir();
        try
        {
            var run = Run(Zidane, "--mean", "0.5,0.5,0.5", "--std", "0.5, 0.5, 0.5", "--out", outDir, "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            var top = doc.RootElement[0].GetProperty("logits")[0];

            var input = VitInput.Torchvision with { Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f] };
            var (_, data) = VitPreprocess.Apply(ImageLoader.Load(Zidane), 32, input);
            using var model = VitModel.Build(TestDevice.Default, VitCheckpoint.Load(VitFixture.Timm, heads: 2));
            using var x = Tensor.FromArray(TestDevice.Default, data, 1, 3, 32, 32);
            using var tape = new Tape();
            var logits = model.Forward(Var.Input(x)).Value.ToArray();
            int best = Array.IndexOf(logits, logits.Max());
            Assert.Equal(best, top.GetProperty("class_id").GetInt32());
            Assert.Equal(logits[best], top.GetProperty("logit").GetDouble(), 1e-4);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Fact]
    public void Preprocessing_matches_torchvision_on_the_sample()
    {
        var (crop, input) = VitPreprocess.Apply(ImageLoader.Load(Zidane), 32);
        Assert.Equal((32, 32), (crop.Height, crop.Width));
        var (expected, shape) = Npy.Read(ZidaneTensor);
        Assert.Equal([1, 3, 32, 32], shape);
        // One uint8 level is 1/255/std ≈ 0.0175: allow it (JPEG decoder and PIL's fixed-point rounding).
        double worst = input.Zip(expected).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= 0.018, $"max difference from torchvision {worst}");
        Assert.Equal(256, VitPreprocess.ResizeSize(224));
    }

    [Fact]
    public void Class_names_are_torchvisions_ImageNet_list_or_numbered()
    {
        Assert.Equal(1000, ImageNetClasses.ImageNet.Count);
        Assert.Equal("tench", ImageNetClasses.ImageNet[0]);
        Assert.Equal(207, VitCamJob.ResolveClass("Golden Retriever", ImageNetClasses.For(1000)));
        Assert.Equal(42, VitCamJob.ResolveClass("42", ImageNetClasses.For(1000)));
        Assert.Equal(["class0", "class1", "class2"], ImageNetClasses.For(3));
        Assert.Equal(2, VitCamJob.ResolveClass("class2", ImageNetClasses.For(3)));
        Assert.Throws<CliError>(() => VitCamJob.ResolveClass("zebra", ImageNetClasses.For(3)));
    }

    [Theory]
    [InlineData("missing", "no such file")]
    [InlineData("text", "")]
    [InlineData("yolo", "not a ViT checkpoint")]
    [InlineData("class-name", "unknown class name 'zebra'")]
    [InlineData("class-id", "out of range")]
    [InlineData("discard", "--discard must be in [0, 1)")]
    [InlineData("layer", "unknown layer 'blocks.7.norm1'")]
    [InlineData("tensor-shape", "--tensor needs a float32 array of shape [1, 3, 32, 32]")]
    [InlineData("compat", "unknown --compat 'timm': use none or vit-explain")]
    [InlineData("std", "--std needs 3 positive numbers")]
    [InlineData("compat-method", "--compat vit-explain applies to --method rollout and grad-rollout only")]
    public void Errors_are_one_line_with_exit_code_two(string kind, string message)
    {
        var dir = TempDir();
        try
        {
            string text = Path.Combine(dir, "notes.jpg");
            File.WriteAllText(text, "not an image");
            string wrongShape = Path.Combine(dir, "wrong.npy");
            Npy.Write(wrongShape, new float[3 * 64 * 64], [1, 3, 64, 64]);
            string[] args = kind switch
            {
                "missing" => [Path.Combine(dir, "nope.jpg")],
                "text" => [text],
                "class-name" => [Zidane, "--class", "zebra"],
                "class-id" => [Zidane, "--class", "5"],
                "discard" => [Zidane, "--discard", "1"],
                "layer" => [Zidane, "--method", "gradcam", "--layer", "blocks.7.norm1"],
                "tensor-shape" => ["--tensor", wrongShape],
                "compat" => [Zidane, "--compat", "timm"],
                "std" => [Zidane, "--std", "0,1,1"],
                "compat-method" => [Zidane, "--method", "chefer", "--compat", "vit-explain"],
                _ => [Zidane],
            };
            var run = kind == "yolo"
                ? CliProcess.RunIn(Root, "vit-cam", Zidane, "--weights", Path.Combine(Root, "samples", "yolov5n.pt"), "--device", "cpu", "--out", dir)
                : Run([.. args, "--out", dir]);
            Assert.True(run.ExitCode == 2, run.ToString());
            var line = Assert.Single(run.ErrorLines);
            Assert.StartsWith("error: ", line);
            Assert.Contains(message, line);
            Assert.DoesNotContain("   at ", run.StdErr);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
