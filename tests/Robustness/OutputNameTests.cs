using System.Text;
using NativeCam.Cli.Output;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>An input's file name becomes one plain folder name inside --out, whatever the name is.</summary>
public class OutputNameTests
{
    [Theory]
    [InlineData("bus.jpg", "bus")]
    [InlineData("dir/bus.jpg", "bus")]
    [InlineData("...jpg", "_.")]        // stem "..": the parent folder, if taken as is
    [InlineData("..jpg", "_")]          // stem ".": the output folder itself
    [InlineData(".jpg", "image")]       // no stem at all
    [InlineData(".hidden.png", "_hidden")]
    [InlineData("a\nb.jpg", "a_b")]
    [InlineData("tab\there.jpg", "tab_here")]
    [InlineData("back\\slash.jpg", "back_slash")]
    [InlineData("traffic light.jpg", "traffic light")]
    [InlineData("日本語.jpg", "日本語")]
    public void NamesBecomeOnePlainComponent(string input, string expected)
    {
        string name = OutputName.ForInput(input);
        Assert.Equal(expected, name);
        Assert.True(OutputName.IsSafe(name));
        Assert.Equal(Path.Join("/out", name), Path.GetFullPath(Path.Join("/out", name))); // never leaves /out
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("/abs")]
    [InlineData(".staging")]
    [InlineData("x\0y")]
    public void UnsafeNamesAreRecognised(string name) => Assert.False(OutputName.IsSafe(name));

    [Fact]
    public void LongNamesAreCutAtACharacterBoundaryWithinTheByteLimit()
    {
        string name = OutputName.ForInput(string.Concat(Enumerable.Repeat("é", 300)) + ".jpg");
        Assert.True(Encoding.UTF8.GetByteCount(name) <= OutputName.MaxBytes);
        Assert.Equal(OutputName.MaxBytes / 2, name.Length);
        Assert.True(OutputName.IsSafe(name));
    }

    [Fact]
    public void SharedStemsGetTheirWholeFileNamesAndRepeatsANumber()
    {
        Assert.Equal(["a.jpg", "a.png", "b", "a.jpg-2"], OutputName.Unique(["x/a.jpg", "x/a.png", "x/b.jpg", "y/a.jpg"]));
        // a unique stem keeps its name first ("a.jpg.png" → "a.jpg"), so the shared ones number around it
        var names = OutputName.Unique(["x/a.jpg", "x/a.png", "x/b.jpg", "y/a.jpg", "x/a.jpg.png"]);
        Assert.Equal(["a.jpg-2", "a.png", "b", "a.jpg-3", "a.jpg"], names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void UniqueNamesStayWithinTheByteLimit()
    {
        string longName = new string('x', 400);
        var names = OutputName.Unique([$"a/{longName}.jpg", $"b/{longName}.jpg", $"c/{longName}.jpg"]);
        Assert.Equal(3, names.Distinct().Count());
        Assert.All(names, n => Assert.True(OutputName.IsSafe(n) && Encoding.UTF8.GetByteCount(n) <= OutputName.MaxBytes, n));
    }
}
