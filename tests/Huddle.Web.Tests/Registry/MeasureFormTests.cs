using System.Collections.Immutable;
using Bunit;
using Huddle.Contracts.Registry;
using Huddle.Web.Registry;
using Microsoft.AspNetCore.Components;

namespace Huddle.Web.Tests.Registry;

/// <summary>The PHQ-9 / GAD-7 entry form in bUnit: the total and band as items are answered, item 9 said plainly, and Save only when complete.</summary>
public sealed class MeasureFormTests : IDisposable
{
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    private IRenderedComponent<MeasureForm> Render(Instrument instrument, List<ImmutableArray<int>> saved) =>
        _ctx.Render<MeasureForm>(p => p
            .Add(f => f.Instrument, instrument)
            .Add(f => f.OnSubmit, EventCallback.Factory.Create<ImmutableArray<int>>(this, items => saved.Add(items))));

    private static void Answer(IRenderedComponent<MeasureForm> form, int item, int score) =>
        form.Find($"[data-testid=measure-item][data-item='{item}'] input[data-score='{score}']").Change(true);

    [Fact]
    public void A_phq9_shows_its_total_and_band_once_complete_and_saves_the_items_in_order()
    {
        var saved = new List<ImmutableArray<int>>();
        var form = Render(Instrument.Phq9, saved);
        Assert.Equal(9, form.FindAll("[data-testid=measure-item]").Count);
        Assert.True(form.Find("[data-testid=measure-save]").HasAttribute("disabled"));

        int[] answers = [3, 3, 2, 2, 2, 2, 1, 1, 0];
        for (var i = 0; i < 8; i++)
        {
            Answer(form, i + 1, answers[i]);
        }

        Assert.Contains("1 of 9 items still to answer", form.Find("[data-testid=measure-left]").TextContent, StringComparison.Ordinal);
        Answer(form, 9, 0);
        Assert.Equal("16", form.Find("[data-testid=measure-total]").GetAttribute("data-total"));
        Assert.Contains("moderately severe", form.Find("[data-testid=measure-total]").TextContent, StringComparison.Ordinal);
        Assert.Empty(form.FindAll("[data-testid=measure-safety]"));

        form.Find("[data-testid=measure-save]").Click();
        Assert.Equal([.. answers], Assert.Single(saved));
    }

    [Fact]
    public void Item_9_above_0_warns_that_saving_pings_the_care_manager()
    {
        var form = Render(Instrument.Phq9, []);
        Answer(form, 9, 1);
        Assert.Contains("pings the care manager", form.Find("[data-testid=measure-safety]").TextContent, StringComparison.Ordinal);
        Answer(form, 9, 0);
        Assert.Empty(form.FindAll("[data-testid=measure-safety]"));
    }

    [Fact]
    public void A_gad7_has_seven_items_and_its_own_bands()
    {
        var saved = new List<ImmutableArray<int>>();
        var form = Render(Instrument.Gad7, saved);
        Assert.Equal(7, form.FindAll("[data-testid=measure-item]").Count);
        for (var i = 1; i <= 7; i++)
        {
            Answer(form, i, i <= 5 ? 3 : 0);
        }

        Assert.Equal("15", form.Find("[data-testid=measure-total]").GetAttribute("data-total"));
        Assert.Contains("severe", form.Find("[data-testid=measure-total]").TextContent, StringComparison.Ordinal);
        form.Find("[data-testid=measure-save]").Click();
        Assert.Equal([3, 3, 3, 3, 3, 0, 0], Assert.Single(saved));
    }

    public void Dispose() => _ctx.Dispose();
}
