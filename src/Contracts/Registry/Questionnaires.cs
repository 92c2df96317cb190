using System.Collections.Immutable;
using Huddle.Contracts.Common;

namespace Huddle.Contracts.Registry;

/// <summary>
/// Scoring of the PHQ-9 and GAD-7, plain domain code (docs/clinical.md, "Measurements"): every item is
/// 0-3 and the total is their sum. PHQ-9 bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19
/// moderately severe, 20-27 severe (Kroenke et al. 2001). GAD-7 bands: 0-4 minimal, 5-9 mild,
/// 10-14 moderate, 15-21 severe (Spitzer et al. 2006).
/// </summary>
public static class Questionnaires
{
    public const int Phq9Items = 9;
    public const int Gad7Items = 7;
    public const int MaxItem = 3;

    /// <summary>How many items <paramref name="instrument"/> has.</summary>
    public static int ItemsOf(Instrument instrument) => instrument switch
    {
        Instrument.Phq9 => Phq9Items,
        Instrument.Gad7 => Gad7Items,
        _ => throw new ArgumentOutOfRangeException(nameof(instrument)),
    };

    /// <summary>Null when <paramref name="items"/> are a complete answer to <paramref name="instrument"/>; otherwise why not.</summary>
    public static HuddleError? Check(Instrument instrument, ImmutableArray<int> items)
    {
        if (!Enum.IsDefined(instrument))
        {
            return HuddleError.Invalid("The instrument is phq9 or gad7.");
        }

        var count = ItemsOf(instrument);
        if (items.IsDefault || items.Length != count)
        {
            return HuddleError.Invalid($"A {NameOf(instrument)} has exactly {count} item scores; {(items.IsDefault ? 0 : items.Length)} were given.");
        }

        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is < 0 or > MaxItem)
            {
                return HuddleError.Invalid($"Item {i + 1} of the {NameOf(instrument)} is {items[i]}; each item is scored 0-{MaxItem}.");
            }
        }

        return null;
    }

    /// <summary>The total of complete item scores.</summary>
    public static int Total(ImmutableArray<int> items) => items.Sum();

    /// <summary>The band of <paramref name="total"/> on <paramref name="instrument"/>.</summary>
    public static SeverityBand BandOf(Instrument instrument, int total) => (instrument, total) switch
    {
        (_, < 0) => throw new ArgumentOutOfRangeException(nameof(total)),
        (_, <= 4) => SeverityBand.Minimal,
        (_, <= 9) => SeverityBand.Mild,
        (_, <= 14) => SeverityBand.Moderate,
        (Instrument.Phq9, <= 19) => SeverityBand.ModeratelySevere,
        (Instrument.Phq9, <= 27) or (Instrument.Gad7, <= 21) => SeverityBand.Severe,
        _ => throw new ArgumentOutOfRangeException(nameof(total)),
    };

    /// <summary>"PHQ-9" or "GAD-7".</summary>
    public static string NameOf(Instrument instrument) => instrument == Instrument.Phq9 ? "PHQ-9" : "GAD-7";

    /// <summary>"moderately severe" for a band.</summary>
    public static string WordsOf(SeverityBand band) => band switch
    {
        SeverityBand.ModeratelySevere => "moderately severe",
        _ => band.ToString().ToLowerInvariant(),
    };

    /// <summary>The PHQ-9's items in plain words, for forms and the FHIR export (over the last 2 weeks, how often bothered by…).</summary>
    public static readonly ImmutableArray<string> Phq9Questions =
    [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed, or the opposite: being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead, or of hurting yourself in some way",
    ];

    /// <summary>The GAD-7's items in plain words.</summary>
    public static readonly ImmutableArray<string> Gad7Questions =
    [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ];

    /// <summary>The answer words for 0-3.</summary>
    public static readonly ImmutableArray<string> Answers = ["Not at all", "Several days", "More than half the days", "Nearly every day"];

    /// <summary>The questions of <paramref name="instrument"/>.</summary>
    public static ImmutableArray<string> QuestionsOf(Instrument instrument) => instrument == Instrument.Phq9 ? Phq9Questions : Gad7Questions;
}
