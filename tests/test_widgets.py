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
