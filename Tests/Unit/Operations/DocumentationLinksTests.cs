using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// The docs a newcomer reads hold together: every relative link and image in <c>README.md</c>, <c>BENCHMARKS.md</c>
/// and <c>docs/**/*.md</c> names a file or directory of the repository, every <c>#anchor</c> names a heading of its
/// target by GitHub's slug rule, every page under <c>docs/</c> is linked from the README or BENCHMARKS.md, and the
/// README stays short (its detail belongs in <c>docs/</c>).
/// </summary>
/// <remarks>
/// Links inside fenced code blocks and code spans are not links (GitHub does not render them); <c>http(s):</c>,
/// <c>mailto:</c> and other absolute URLs are not checked (no network in tests).
/// </remarks>
public sealed partial class DocumentationLinksTests
{
    /// <summary>The README gives what, why, the two commands, a first use and links; everything else is in docs/.</summary>
    public const int MaxReadmeLines = 250;

    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void Every_relative_link_and_anchor_resolves()
    {
        var pages = Pages().ToList();
        Assert.Contains("README.md", pages);
        Assert.Contains("BENCHMARKS.md", pages);
        Assert.Contains("docs/configuration.md", pages);

        var problems = pages.SelectMany(page => BrokenLinks(Root, page)).ToList();
        Assert.True(problems.Count == 0, $"Broken links ({problems.Count}):\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Every_docs_page_is_linked_from_the_README_or_BENCHMARKS()
    {
        var linked = new[] { "README.md", "BENCHMARKS.md" }
            .SelectMany(page => Links(File.ReadAllText(Path.Combine(Root, page)))
                .Where(link => !IsAbsoluteUrl(link.Target))
                .Select(link => Resolve(page, link.Target).Path)
                .OfType<string>())
            .ToHashSet(StringComparer.Ordinal);
        var unlinked = Pages().Where(p => p.StartsWith("docs/", StringComparison.Ordinal) && !linked.Contains(p)).ToList();
        Assert.True(unlinked.Count == 0, "docs pages no reader finds from README.md or BENCHMARKS.md:\n  " + string.Join("\n  ", unlinked));
    }

    [Fact]
    public void The_README_stays_under_250_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md")).Length;
        Assert.True(lines < MaxReadmeLines,
            $"README.md has {lines} lines (limit {MaxReadmeLines}): move detail into docs/ and link it from the README's Documentation list");
    }

    // ---- the checker checks what it claims ----

    [Theory]
    [InlineData("Configuration", "configuration")]
    [InlineData("Hot metrics: one metric over several grains", "hot-metrics-one-metric-over-several-grains")]
    [InlineData("`POST /api/v1/write` end to end", "post-apiv1write-end-to-end")]
    [InlineData("Kafka → metric grains, with and without forwarding", "kafka--metric-grains-with-and-without-forwarding")]
    [InlineData("Exemplar rules (as Prometheus 2.42)", "exemplar-rules-as-prometheus-242")]
    [InlineData("query_exemplars profile: grains answer in JSON (issue 8, P3)", "query_exemplars-profile-grains-answer-in-json-issue-8-p3")]
    [InlineData("Issue 8's targets: where they stood", "issue-8s-targets-where-they-stood")]
    [InlineData("**Bold** and [a link](x.md)", "bold-and-a-link")]
    public void Slugs_follow_GitHub(string heading, string slug) => Assert.Equal(slug, Slug(heading));

    [Fact]
    public void Repeated_headings_get_numbered_anchors_and_code_blocks_are_skipped()
    {
        var anchors = Anchors("# Title\n\n## Commands\n\n```sh\n# not a heading\n```\n\n## Commands\n\n### Commands\n");
        Assert.Equal(["title", "commands", "commands-1", "commands-2"], anchors);
        var links = Links("[a](a.md) `[b](b.md)`\n```\n[c](c.md)\n```\n![d](d.png \"title\") [e\nf](e.md#x) <https://example.com>");
        Assert.Equal(["a.md", "d.png", "e.md#x"], links.Select(l => l.Target));
    }

    [Fact]
    public void A_broken_file_link_or_anchor_is_reported()
    {
        var dir = Directory.CreateTempSubdirectory("oe-doclinks-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "docs"));
            File.WriteAllText(Path.Combine(dir, "docs", "b.md"), "# B\n\n## Section two\n");
            File.WriteAllText(Path.Combine(dir, "README.md"),
                "# A\n\n[ok](docs/b.md#section-two) [self](#a) [web](https://example.com/missing)\n" +
                "[no file](docs/missing.md) [no anchor](docs/b.md#section-three) [no local anchor](#nowhere) [up](../outside.md)\n");
            var problems = BrokenLinks(dir, "README.md").ToList();
            Assert.Equal(4, problems.Count);
            Assert.Contains(problems, p => p.Contains("docs/missing.md", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("#section-three", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("#nowhere", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("../outside.md", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // ---- the checker ----

    /// <summary>README.md, BENCHMARKS.md and every page under docs/, as repository-relative paths with '/'.</summary>
    private static IEnumerable<string> Pages() =>
        new[] { "README.md", "BENCHMARKS.md" }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal));

    private static IEnumerable<string> BrokenLinks(string root, string page)
    {
        var text = File.ReadAllText(Path.Combine(root, page));
        foreach (var link in Links(text))
        {
            var where = $"{page}:{link.Line}: ({link.Target})";
            if (IsAbsoluteUrl(link.Target)) continue;
            var (path, anchor) = Resolve(page, link.Target);
            if (path is null)
            {
                yield return $"{where} leaves the repository";
                continue;
            }
            var full = Path.Combine(root, path);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                yield return $"{where} {path} does not exist";
                continue;
            }
            if (anchor is null) continue;
            if (!path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(full))
            {
                yield return $"{where} #{anchor} points into {path}, which is not a Markdown page";
                continue;
            }
            var anchors = Anchors(File.ReadAllText(full));
            if (!anchors.Contains(anchor))
            {
                yield return $"{where} {path} has no heading #{anchor} (its anchors: {string.Join(", ", anchors)})";
            }
        }
    }

    private static bool IsAbsoluteUrl(string target) => AbsoluteUrl().IsMatch(target);

    /// <summary>
    /// The repository-relative path a link names (the page itself for <c>#anchor</c>) and its decoded anchor; a null
    /// path when the link climbs out of the repository.
    /// </summary>
    private static (string? Path, string? Anchor) Resolve(string page, string target)
    {
        var hash = target.IndexOf('#');
        var file = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
        if (file.Length == 0) return (page, anchor);
        List<string> baseParts = file.StartsWith('/') ? [] : [.. page.Split('/')[..^1]];
        foreach (var part in file.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (baseParts.Count == 0) return (null, anchor);
                baseParts.RemoveAt(baseParts.Count - 1);
                continue;
            }
            baseParts.Add(part);
        }
        return (string.Join('/', baseParts), anchor);
    }

    public sealed record Link(string Target, int Line);

    /// <summary>Inline links and images outside code: <c>[text](target "title")</c>, <c>![alt](target)</c>.</summary>
    public static List<Link> Links(string markdown)
    {
        var text = WithoutCode(markdown);
        return InlineLink().Matches(text)
            .Select(m => new Link(m.Groups["target"].Value, 1 + text.AsSpan(0, m.Index).Count('\n')))
            .ToList();
    }

    /// <summary>The anchors GitHub gives a page's headings, in order: slugs, repeats numbered <c>-1</c>, <c>-2</c>….</summary>
    public static List<string> Anchors(string markdown)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchors = new List<string>();
        foreach (var line in WithoutFencedBlocks(markdown).Split('\n'))
        {
            var heading = Heading().Match(line);
            if (!heading.Success) continue;
            var slug = Slug(heading.Groups["text"].Value);
            var anchor = slug;
            if (seen.TryGetValue(slug, out var count))
            {
                do anchor = $"{slug}-{++count}"; while (seen.ContainsKey(anchor));
                seen[slug] = count;
            }
            seen.TryAdd(anchor, 0);
            anchors.Add(anchor);
        }
        return anchors;
    }

    /// <summary>
    /// GitHub's heading slug (github-slugger): the rendered text lower-cased, every character that is not a letter,
    /// mark, number, connector punctuation (<c>_</c>), hyphen or space removed, each space made a hyphen.
    /// </summary>
    public static string Slug(string heading)
    {
        var text = MarkdownLink().Replace(heading.Trim(), "${text}");
        text = HtmlTag().Replace(text, "");
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c == ' ') slug.Append('-');
            else if (c == '-' || char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                         or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                         or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                         or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                         or UnicodeCategory.ConnectorPunctuation)
            {
                slug.Append(c);
            }
        }
        return slug.ToString();
    }

    /// <summary>Fenced blocks blanked (line count kept), then code spans blanked within their line.</summary>
    private static string WithoutCode(string markdown) =>
        CodeSpan().Replace(WithoutFencedBlocks(markdown), m => new string(' ', m.Length));

    private static string WithoutFencedBlocks(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (fence is null)
            {
                if (!open.Success) continue;
                fence = open.Groups["fence"].Value;
                lines[i] = "";
            }
            else
            {
                if (open.Success && open.Groups["fence"].Value.StartsWith(fence, StringComparison.Ordinal) &&
                    open.Groups["fence"].Value[0] == fence[0] && lines[i].Trim().Length == open.Groups["fence"].Value.Length)
                {
                    fence = null;
                }
                lines[i] = "";
            }
        }
        return string.Join('\n', lines);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("OrleansExemplars.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex AbsoluteUrl();

    // Link text may hold one level of brackets and span lines; the target is <…> or has no spaces; an optional title.
    [GeneratedRegex("""!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(?:<(?<target>[^>]*)>|(?<target>[^\s()]+))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)""")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}#{1,6}[ \t]+(?<text>.*?)(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"(`+)(?:(?!\1).)+?\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})")]
    private static partial Regex Fence();
}
