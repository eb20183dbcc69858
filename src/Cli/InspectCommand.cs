using System.CommandLine;
using System.Text.Json;
using NativeCam.Weights;
using NativeCam.Weights.Format;
using Spectre.Console;

namespace NativeCam.Cli;

/// <summary>`nativecam inspect file`: metadata and tensor list of a checkpoint or weight file.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file")
        {
            Description = "A PyTorch checkpoint (.pt/.pth, zip or legacy pre-1.6), a .safetensors file or a NativeCam weight file (.msgpack); recognised by content.",
        };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var cmd = new Command("inspect",
            "List the tensors (name, dtype, shape) and metadata of a weight file or PyTorch checkpoint. " +
            "Checkpoints are read safely, as by convert, and show their stored dtypes, and how the tensors were found " +
            "(training-checkpoint key, DataParallel prefix, renamed old names, pickled model class).\n\n" +
            "Example:\n  nativecam inspect samples/yolov5n.pt\n  nativecam inspect densenet121-a639ec97.pth\n  nativecam inspect samples/yolov5n.msgpack --json");
        cmd.Arguments.Add(file);
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            var (kind, weights) = WeightErrors.Guard(path, () =>
                (WeightFileFormat.Detect(path), WeightFile.Load(path, new ConvertOptions { KeepHalf = true })));
            string format = WeightFileFormat.FormatName(kind) ?? "unknown";
            if (parse.GetValue(json)) PrintJson(path, format, weights);
            else PrintTables(path, format, weights);
            return 0;
        });
        return cmd;
    }

    private static void PrintJson(string path, string format, WeightFile w)
    {
        var m = w.Metadata;
        var doc = new Dictionary<string, object?>
        {
            ["file"] = Path.GetFileName(path),
            ["format"] = format,
            ["metadata"] = new Dictionary<string, object?>
            {
                ["architecture"] = m.Architecture,
                ["class_names"] = m.ClassNames,
                ["stride"] = m.Stride,
                ["epoch"] = m.Epoch,
                ["date"] = m.Date,
                ["source_file"] = m.SourceFile,
                ["source_sha256"] = m.SourceSha256,
                ["config"] = m.Config,
                ["source"] = new Dictionary<string, object?>
                {
                    ["format"] = m.Source.Format,
                    ["wrapper_key"] = m.Source.WrapperKey,
                    ["stripped_prefix"] = m.Source.StrippedPrefix,
                    ["renamed_keys"] = m.Source.RenamedKeys,
                    ["module_class"] = m.Source.ModuleClass,
                    ["file_metadata"] = m.Source.FileMetadata,
                },
            },
            ["tensors"] = w.Tensors.Select(t => new Dictionary<string, object>
            {
                ["name"] = t.Name, ["dtype"] = t.DType, ["shape"] = t.Shape, ["elements"] = t.ElementCount,
            }),
        };
        Console.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void PrintTables(string path, string format, WeightFile w)
    {
        var m = w.Metadata;
        var info = new Table().AddColumn("Field").AddColumn("Value").Title($"{Markup.Escape(Path.GetFileName(path))} ({format})");
        void Row(string field, string value) => info.AddRow(Markup.Escape(field), Markup.Escape(value));
        Row("architecture", m.Architecture);
        Row("classes", m.ClassNames.Count == 0 ? "-" : $"{m.ClassNames.Count}: {string.Join(", ", m.ClassNames.Take(5))}{(m.ClassNames.Count > 5 ? ", ..." : "")}");
        Row("stride", m.Stride.Count == 0 ? "-" : string.Join(", ", m.Stride));
        Row("epoch", m.Epoch?.ToString() ?? "-");
        Row("date", m.Date ?? "-");
        Row("config keys", m.Config.Count == 0 ? "-" : string.Join(", ", m.Config.Keys));
        Row("source", $"{m.SourceFile} sha256 {m.SourceSha256}");
        Row("source format", m.Source.Format);
        Row("found under", m.Source.WrapperKey is { } key ? $"'{key}' of a training checkpoint" : "-");
        Row("prefix removed", m.Source.StrippedPrefix ?? "-");
        Row("renamed keys", m.Source.RenamedKeys == 0 ? "-" : $"{m.Source.RenamedKeys} (old torchvision DenseNet names)");
        Row("model class", m.Source.ModuleClass ?? "-");
        if (m.Source.FileMetadata.Count > 0)
            Row("file metadata", string.Join(", ", m.Source.FileMetadata.Select(p => $"{p.Key}={p.Value}")));
        Row("tensors", $"{w.Tensors.Count} ({w.Tensors.Sum(t => t.ElementCount):N0} values)");
        AnsiConsole.Write(info);

        var tensors = new Table().AddColumn("#").AddColumn("Name").AddColumn("DType").AddColumn("Shape").AddColumn(new TableColumn("Elements").RightAligned());
        for (int i = 0; i < w.Tensors.Count; i++)
        {
            var t = w.Tensors[i];
            tensors.AddRow(i.ToString(), Markup.Escape(t.Name), t.DType, Markup.Escape($"[{string.Join(", ", t.Shape)}]"), t.ElementCount.ToString("N0"));
        }
        AnsiConsole.Write(tensors);
    }
}
