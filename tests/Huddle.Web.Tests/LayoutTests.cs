namespace Huddle.Web.Tests;

/// <summary>The shape of the code that docs/architecture.md promises, checked so it stays true.</summary>
public sealed class LayoutTests
{
    private static readonly string Web = Path.Combine(RepositoryRoot(), "src", "Web");

    [Fact]
    public void Web_features_know_the_contracts_only_and_the_composition_root_alone_knows_the_silo()
    {
        string[] compositionRoot = ["HuddleApp.cs", "Program.cs", "Operations"];
        var offenders = Directory.EnumerateFiles(Web, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !compositionRoot.Contains(Path.GetRelativePath(Web, f).Split(Path.DirectorySeparatorChar)[0]))
            .Where(f => File.ReadAllText(f).Contains("Huddle.Silo", StringComparison.Ordinal) || File.ReadAllText(f).Contains("Huddle.Grains", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Web, f))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void Each_web_source_file_declares_at_most_one_public_type()
    {
        var many = Directory.EnumerateFiles(Web, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"^public (sealed |static |abstract |partial )*(class|record|interface|enum|struct) ", System.Text.RegularExpressions.RegexOptions.Multiline).Count > 1)
            .Select(f => Path.GetRelativePath(Web, f))
            .ToList();
        Assert.Empty(many);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Huddle.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Huddle.sln) was not found above the test binaries.");
    }
}
