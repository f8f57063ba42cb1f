"""The quick select renders what Django's select renders, escaped the same way."""

from django import forms

from core.widgets import QuickSelect


class Choice(forms.Form):
    agency = forms.ChoiceField(
        choices=[("", "---------"), ("7", 'กรม <ทดสอบ> & "ลูก"'), ("8", "กอง")],
        required=False,
        widget=QuickSelect(attrs={"class": "compact"}),
    )


def test_options_are_escaped_and_the_chosen_one_is_selected():
    html = str(Choice(data={"agency": "7"})["agency"])
    assert html.startswith('<select class="compact" id="id_agency" name="agency">')
    assert '<option value="7" selected>กรม &lt;ทดสอบ&gt; &amp; &quot;ลูก&quot;</option>' in html
    assert '<option value="8">กอง</option>' in html
    assert '<option value="">---------</option>' in html
    assert html.count("<option") == 3


def test_a_form_shown_the_first_time_selects_the_blank_choice():
    assert '<option value="" selected>' in str(Choice()["agency"])


class Grouped(forms.Form):
    place = forms.ChoiceField(
        choices=[("", "---"), ("ภาค", [("1", "เหนือ"), ("2", "ใต้")])], widget=QuickSelect
    )


def test_grouped_choices_render_as_django_does():
    form = Grouped(data={"place": "2"})
    expected = forms.Select(choices=Grouped.base_fields["place"].choices).render("place", "2")
    assert str(form["place"]).replace(' id="id_place"', "").replace(" required", "") == expected


def test_the_filter_form_of_a_list_offers_every_master_plan_of_the_editions(db):
    from projects.filters import ProjectFilter
    from projects.models import Project
    from strategy.models import Kind, Node
    from tests.factories import UserFactory

    form = ProjectFilter({}, queryset=Project.objects.all(), user=UserFactory()).form
    html = str(form["master_plan"])
    plans = Node.objects.filter(kind=Kind.MASTER_PLAN)
    assert plans.count() > 20
    for node in plans:
        assert f'<option value="{node.pk}">{node}</option>' in html
