using Huddle.Web.Layout;

namespace Huddle.Web.Tests;

/// <summary>The initials a phone's app bar shows for whoever is signed in.</summary>
public sealed class InitialsTests
{
    [Theory]
    [InlineData("Dr. Pat Carter", "PC")]
    [InlineData("Bea Holt", "BH")]
    [InlineData("Jo Ward (privacy officer)", "JW")]
    [InlineData("Maria de la Cruz", "MC")]
    [InlineData("ms. ana  lee", "AL")]
    [InlineData("Maple team room screen", "MS")]
    [InlineData("Cher", "C")]
    [InlineData("Dr.", "?")]
    [InlineData("", "?")]
    [InlineData(null, "?")]
    public void A_name_gives_the_first_letters_of_its_first_and_last_words_without_a_title_or_brackets(string? name, string expected) =>
        Assert.Equal(expected, Initials.Of(name));
}
