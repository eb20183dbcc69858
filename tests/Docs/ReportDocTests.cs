using System.Text.Json;
using NativeCam.Tests.Yolo;
using Xunit;

namespace NativeCam.Tests.Docs;

/// <summary>docs/report.md's example report.json against a real run: the same keys at every level, the same kinds of
/// values, and the same values where a run is deterministic (names, sizes, files). A schema change without
/// `scripts/report-example.sh` fails here.</summary>
public class ReportDocTests
{
    const string Begin = "<!-- report-example: begin (scripts/report-example.sh) -->\n```json\n", End = "```\n<!-- report-example: end -->";

    static string Example()
    {
        string doc = File.ReadAllText(Path.Combine(YoloFixture.RepoRoot(), "docs", "report.md")).ReplaceLineEndings("\n");
        int start = doc.IndexOf(Begin, StringComparison.Ordinal), stop = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, "docs/report.md lost its report-example markers");
        return doc[(start + Begin.Length)..stop];
    }

    /// <summary>Every difference in keys or value kinds between the documented and the real report, as paths.</summary>
    static void Compare(JsonElement doc, JsonElement real, string path, List<string> differences)
    {
        if (doc.ValueKind != real.ValueKind && !(doc.ValueKind is JsonValueKind.True or JsonValueKind.False && real.ValueKind is JsonValueKind.True or JsonValueKind.False))
        {
            differences.Add($"{path}: documented {doc.ValueKind}, a real run gives {real.ValueKind}");
            return;
        }
        if (doc.ValueKind == JsonValueKind.Object)
        {
            var documented = doc.EnumerateObject().Select(p => p.Name).ToList();
            var actual = real.EnumerateObject().Select(p => p.Name).ToList();
            foreach (var missing in actual.Except(documented)) differences.Add($"{path}.{missing}: in a real report, not in the doc");
            foreach (var extra in documented.Except(actual)) differences.Add($"{path}.{extra}: in the doc, not in a real report");
            if (!documented.SequenceEqual(actual) && documented.Order().SequenceEqual(actual.Order())) differences.Add($"{path}: keys in another order");
            foreach (var name in documented.Intersect(actual)) Compare(doc.GetProperty(name), real.GetProperty(name), $"{path}.{name}", differences);
        }
        else if (doc.ValueKind == JsonValueKind.Array && doc.GetArrayLength() > 0)
        {
            if (real.GetArrayLength() == 0) differences.Add($"{path}: documented with elements, empty in a real run");
            else Compare(doc[0], real[0], $"{path}[0]", differences);
        }
    }

    [Fact]
    public void TheDocumentedReportHasTheKeysShapeAndDeterministicValuesOfARealRun()
    {
        string outDir = Directory.CreateTempSubdirectory("nativecam-reportdoc-").FullName;
        try
        {
            // The run scripts/report-example.sh makes.
            var run = CliProcess.RunIn(YoloFixture.RepoRoot(), TimeSpan.FromMinutes(4), "detect-cam", "samples/bus.jpg", "--out", outDir,
                "--device", "cpu", "--dump-maps", "--metrics");
            Assert.True(run.ExitCode == 0, run.ToString());
            using var real = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bus", "report.json")));
            using var doc = JsonDocument.Parse(Example());
            var differences = new List<string>();
            Compare(doc.RootElement, real.RootElement, "$", differences);
            Assert.True(differences.Count == 0, "docs/report.md's example is stale (run scripts/report-example.sh):\n" + string.Join("\n", differences));

            string Raw(JsonElement e, params object[] path)
            {
                foreach (var step in path) e = step is int i ? e[i] : e.GetProperty((string)step);
                return e.GetRawText().Replace(" ", "").Replace("\n", "");
            }
            object[][] deterministic =
            [
                ["image"], ["output"], ["image_hw"], ["input_hw"], ["ratio"], ["pad"], ["weights"], ["method"], ["score"], ["target"], ["shared_scale"],
                ["detections", 0, "index"], ["detections", 0, "class_id"], ["detections", 0, "class_name"], ["detections", 0, "level"],
                ["detections", 0, "anchor"], ["detections", 0, "cell"],
                ["maps", 0, "detection"], ["maps", 0, "layer"], ["maps", 0, "method"], ["maps", 0, "file"], ["maps", 0, "raw_file"],
                ["maps", 0, "empty"], ["maps", 0, "parts"], ["maps", 0, "metrics", "pointing"], ["similar_maps"],
            ];
            foreach (var path in deterministic)
                Assert.True(Raw(doc.RootElement, path) == Raw(real.RootElement, path),
                    $"{string.Join(".", path)}: documented {Raw(doc.RootElement, path)}, a real run gives {Raw(real.RootElement, path)} (run scripts/report-example.sh)");
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }
}
