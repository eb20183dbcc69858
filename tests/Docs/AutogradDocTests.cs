using System.Text.RegularExpressions;
using NativeCam.Cli;
using NativeCam.Tensors;
using NativeCam.Tests.Yolo;
using Xunit;

namespace NativeCam.Tests.Docs;

/// <summary>
/// docs/autograd.md keeps its promises: the student's first program compiles and runs (its gradients agree with the
/// finite differences it prints), `nativecam autograd-demo` does the same on both backends, and the add-a-pointwise-op
/// checklist names files that exist, as many as its heading states (at most 5), every one of which already mentions
/// every op (so following the list for a new op is complete).
/// </summary>
public class AutogradDocTests
{
    static string Root => YoloFixture.RepoRoot();
    static string AutogradMd => Path.Combine(Root, "docs", "autograd.md");

    [Fact]
    public void TheStudentsFirstProgramCompilesRunsAndAgreesWithFiniteDifferences()
    {
        string code = DocExamples.Blocks(AutogradMd)[0];
        var (dll, errors) = DocExamples.Compile("docs-autograd-example-0", code);
        Assert.True(dll != null, $"docs/autograd.md's first example does not compile:\n{errors}");
        string dir = Directory.CreateTempSubdirectory("nativecam-autograd-docs-").FullName;
        try
        {
            var (exit, output) = DocExamples.Run(dll!, dir, TimeSpan.FromMinutes(2));
            Assert.True(exit == 0, $"the example exited with {exit}:\n{output}");
            Assert.Equal(3, Regex.Matches(output, "autograd .* finite difference").Count);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    public static TheoryData<string> Backends() => new() { "simd", "ilgpu" };

    [Theory]
    [MemberData(nameof(Backends))]
    public void AutogradDemoPrintsGradientsThatMatchFiniteDifferences(string backend)
    {
        var writer = new StringWriter();
        double worst = AutogradDemoCommand.Run(backend == "simd" ? TestDevice.Simd : TestDevice.Ilgpu, writer);
        string text = writer.ToString();
        Assert.True(worst < 1e-4, text);
        // K = 1: x (3), W1 (12), b1 (4), W2 (8); K = 2: two rows of x (3 each).
        Assert.Equal(3 + 12 + 4 + 8 + 6, Regex.Matches(text, "autograd .* finite difference").Count);
        Assert.Contains("K = 1", text);
        Assert.Contains("K = 2", text);
    }

    [Fact]
    public void ThePointwiseChecklistNamesAsManyExistingFilesAsItSaysAndAtMostFive()
    {
        var md = File.ReadAllText(AutogradMd).ReplaceLineEndings("\n");
        var heading = Regex.Match(md, @"### Adding a pointwise op: (\d+) files\n");
        Assert.True(heading.Success, "docs/autograd.md has the heading '### Adding a pointwise op: N files'");
        int stated = int.Parse(heading.Groups[1].Value);
        var section = md[(heading.Index + heading.Length)..];
        section = section[..(section.IndexOf("\n#", StringComparison.Ordinal) is var end and >= 0 ? end : section.Length)];
        var list = Regex.Matches(section, @"^\d+\. `([^`]+)`", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(stated, list.Count);
        Assert.True(stated <= 5, $"adding a pointwise op touches {stated} files; the promise is at most 5");
        foreach (var file in list)
        {
            string path = Path.Combine(Root, file);
            Assert.True(File.Exists(path), $"the checklist names {file}, which does not exist");
            string text = File.ReadAllText(path);
            foreach (var op in Enum.GetValues<UnaryOp>())
                Assert.True(text.Contains(op.ToString(), StringComparison.OrdinalIgnoreCase), $"{file} does not mention {op}: the checklist is incomplete");
        }
    }
}
