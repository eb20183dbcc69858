using System.Text.RegularExpressions;
using NativeCam.Tests.Yolo;
using Xunit;

namespace NativeCam.Tests.Docs;

/// <summary>docs/api.md's examples compile against the built assemblies, run from a copy of the repository root's
/// samples, exit cleanly and write the files they name (Save("folder"), SaveJpeg(..., "file")).</summary>
public class ApiDocsTests
{
    static string ApiMd => Path.Combine(YoloFixture.RepoRoot(), "docs", "api.md");

    public static TheoryData<int> Examples() => [.. Enumerable.Range(0, DocExamples.Blocks(ApiMd).Count)];

    [Fact]
    public void TheDocumentHasItsFourExamples() => Assert.Equal(4, DocExamples.Blocks(ApiMd).Count);

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleCompilesRunsAndWritesWhatItSays(int index)
    {
        string code = DocExamples.Blocks(ApiMd)[index];
        var (dll, errors) = DocExamples.Compile($"docs-api-example-{index}", code);
        Assert.True(dll != null, $"docs/api.md example {index + 1} does not compile:\n{errors}");

        string root = Directory.CreateTempSubdirectory("nativecam-api-docs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "samples"));
            foreach (var sample in new[] { "bus.jpg", "yolov5n.pt" })
                File.Copy(Path.Combine(YoloFixture.RepoRoot(), "samples", sample), Path.Combine(root, "samples", sample));
            // A small torchvision ResNet (7 classes) stands in for the 100 MB resnet50.pth the example names.
            File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "classifiers", "resnet_basic.pt"), Path.Combine(root, "resnet50.pth"));

            var (exit, output) = DocExamples.Run(dll!, root, TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, $"docs/api.md example {index + 1} exited with {exit}:\n{output}");
            Assert.False(string.IsNullOrWhiteSpace(output), "each example prints what it found");
            foreach (Match m in Regex.Matches(code, @"\.Save\(""([^""]+)""\)"))
                foreach (var file in new[] { "sheet.jpg", "explanation.json", "0_" })
                    Assert.True(Directory.EnumerateFiles(Path.Combine(root, m.Groups[1].Value), file + "*").Any(),
                        $"example {index + 1}: Save(\"{m.Groups[1].Value}\") wrote no {file}");
            foreach (Match m in Regex.Matches(code, @"SaveJpeg\([^;]*""([^""]+)""\)"))
                Assert.True(File.Exists(Path.Combine(root, m.Groups[1].Value)), $"example {index + 1} wrote no {m.Groups[1].Value}");
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
