"""The PII scrubber (issue 9, item 1): every kind in both languages, the name forms, the traps
that must stay untouched, idempotence, no network, and the quality on the labelled sets."""

import json
import socket
import statistics
import time
from pathlib import Path

import pytest

from analytics.comments.pii import engine, lexicon, patterns
from analytics.comments.scrub import Scrubbed, scrub, warm

DATA = Path(__file__).resolve().parents[3] / "analytics" / "comments" / "data"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def scrubbed(text: str, lang: str | None = None) -> str:
    return scrub(text, lang).text


# (lang, text, what must be gone, what must be there instead)
PII = [
    # e-mail
    ("fr", "Écrivez-moi à karim.benali@acme-industries.fr si besoin.", "karim.benali", "à [EMAIL] si"),
    ("en", "Email me at j.smith@contoso.co.uk if you want details.", "j.smith", "at [EMAIL] if"),
    ("fr", "mon mail perso : julie.m75 [at] gmail [dot] com", "julie.m75", "[EMAIL]"),
    ("en", "Internal address: ops-lead@corp.intra", "ops-lead", "[EMAIL]"),
    # phones, French in every usual writing, and international
    ("fr", "Appelez-moi au 06 12 34 56 78 pour en parler.", "34 56", "au [PHONE] pour"),
    ("fr", "Mon numéro : 06.45.78.12.90, dispo le soir.", "78.12", "[PHONE]"),
    ("fr", "Contactez le 0645781290 si besoin.", "0645781290", "[PHONE]"),
    ("fr", "Mon portable 06-98-76-54-32.", "76-54", "[PHONE]"),
    ("fr", "Joignable au +33 6 71 22 45 10 ou sur Teams.", "22 45", "[PHONE]"),
    ("fr", "Je suis au +33 (0)7 81 23 45 67 en télétravail.", "23 45", "[PHONE]"),
    ("fr", "Ligne fixe 0033 1 42 68 53 00.", "68 53", "[PHONE]"),
    ("fr", "Appelle-moi au poste 4521, je t'explique.", "4521", "poste [PHONE]"),
    ("en", "Call me on +44 20 7946 0958 any time.", "7946", "[PHONE]"),
    ("en", "Text me at (415) 555-0132.", "555-0132", "[PHONE]"),
    ("en", "My cell is +1 415 555 0198.", "555 0198", "[PHONE]"),
    ("en", "You can reach me on 07700 900123.", "900123", "[PHONE]"),
    ("en", "Phone: +49 30 12345678.", "12345678", "[PHONE]"),
    ("fr", "Mon numéro +33 6.12.34.56.78", "12.34", "[PHONE]"),
    ("fr", "(+33) 6 12 34 56 78 le soir", "34 56", "[PHONE]"),
    ("fr", "Bruxelles : +32 470 12 34 56, Genève : +41 79 123 45 67", "470 12", "[PHONE], Genève : [PHONE]"),
    ("en", "US: +1-415-555-0132 or 415.555.0132", "555", "US: [PHONE] or [PHONE]"),
    ("en", "London office: +44 (0)20 7946 0958", "7946", "[PHONE]"),
    # URLs and handles (dotted Slack/Teams handles too)
    ("fr", "Voir le ticket : https://intranet.acme.fr/support/ticket?id=45871", "intranet.acme", "[URL]"),
    ("fr", "Mon blog www.julie-ecrit.fr raconte tout ça.", "julie-ecrit", "[URL]"),
    ("en", "The form at forms.gle/AbCdEf123 is broken.", "AbCdEf123", "[URL]"),
    ("en", "See https://sharepoint.contoso.com/sites/hr/complaints.", "sharepoint", "[URL]."),
    ("fr", "Ping @karim.benali sur Slack, il a les chiffres.", "karim.benali", "Ping [HANDLE] sur"),
    ("en", "Thanks to @dev_mike for the prompt library.", "dev_mike", "[HANDLE]"),
    ("en", "Ping @sarah.connor on Teams.", "sarah.connor", "[HANDLE]"),
    # IBAN, card (Luhn), NIR (13 digits + key, spaces optional)
    ("fr", "Mon IBAN FR76 3000 6000 0112 3456 7890 189 pour les frais.", "FR76", "IBAN [IBAN] pour"),
    ("fr", "iban fr7630006000011234567890189 merci", "fr7630006000011234567890189", "[IBAN]"),
    ("en", "My bank details GB82 WEST 1234 5698 7654 32 were pasted into a chatbot.", "GB82", "[IBAN]"),
    ("fr", "On m'a demandé ma carte 4970 1020 3040 5064 pour l'abonnement.", "4970", "carte [CARD] pour"),
    ("en", "Card 5350-1234-5678-9010 was charged.", "5350", "[CARD]"),
    ("fr", "Amex 3782 822463 10005 utilisée", "822463", "[CARD]"),
    ("fr", "Mon numéro de sécu 1 85 05 78 006 084 91 a fuité.", "006 084", "sécu [NIR] a"),
    ("fr", "NIR 292037512000592 dans le fichier.", "292037512000592", "[NIR]"),
    ("fr", "Numéro de sécu 1 85 05 78 006 084 sans la clé.", "006 084", "[NIR]"),
    ("en", "Our security number 2 85 12 75 056 123 53 was in the export.", "056 123", "[NIR]"),
]


@pytest.mark.parametrize(("lang", "text", "gone", "placed"), PII)
def test_each_kind_is_replaced_by_its_placeholder(lang, text, gone, placed):
    output = scrubbed(text, lang)
    assert gone not in output
    assert placed in output


def test_a_nir_with_a_wrong_key_is_not_a_nir():
    assert patterns.nir_is_valid("1 85 05 78 006 084 91")
    assert not patterns.nir_is_valid("1 85 05 78 006 084 92")
    assert patterns.nir_is_valid("2 69 02 2A 012 345 86")  # Corsica: 2A counts as 19
    assert "[NIR]" not in scrubbed("Référence 1 85 05 78 006 084 92", "fr")


NAMES = [
    # inside sentences, in lower case, with a role or a title before
    ("fr", "J'en ai parlé à karim hier et rien n'a bougé.", "karim"),
    ("en", "ask sophie, she knows how the Copilot rollout works", "sophie"),
    ("fr", "Mon manager Karim ne sait pas que j'utilise ChatGPT.", "Karim"),
    ("en", "My lead tom keeps pushing Gemini on everyone.", "tom"),
    ("fr", "Mme Durand nous a interdit Copilot sans explication.", "Durand"),
    ("fr", "J'ai signalé le problème à M. Lefebvre.", "Lefebvre"),
    ("fr", "Le Dr Nguyen de la médecine du travail m'a conseillé de lever le pied.", "Nguyen"),
    ("en", "I reported it to Mr Patel and nothing happened.", "Patel"),
    ("en", "Dr Okafor said the stress levels were concerning.", "Okafor"),
    # names that are also words, decided by the context
    ("fr", "Pierre m'a aidé à configurer Mistral.", "Pierre"),
    ("fr", "j'ai demandé à pierre de m'expliquer le RGPD", "pierre"),
    ("fr", "Ma collègue Claire passe ses journées à corriger l'IA.", "Claire"),
    ("fr", "Avec Olivier on a monté un atelier prompts.", "Olivier"),
    ("fr", "Ma cheffe rose dit que l'IA va nous remplacer.", "rose"),
    ("en", "I talked to Will about it and Grace agreed.", "Will"),
    ("en", "I talked to Will about it and Grace agreed.", "Grace"),
    ("en", "Mark told me the AI pilot was cancelled.", "Mark"),
    ("en", "Hope from finance is the only one who got the training.", "Hope"),
    ("en", "my boss mark wants everything done with ChatGPT", "mark"),
    ("fr", "Mon collègue Claude rigole quand je parle d'IA.", "Claude"),
    # hyphenated first names, many origins, verbs of speaking, sign-offs, pairs
    ("fr", "Jean-Pierre et Anne-Sophie ont été formés, pas nous.", "Jean-Pierre"),
    ("fr", "Jean-Pierre et Anne-Sophie ont été formés, pas nous.", "Anne-Sophie"),
    ("fr", "Demandez à Aïssatou Diallo, elle gère le pilote IA.", "Aïssatou"),
    ("en", "Yesterday I asked Oluwaseun about the new tool.", "Oluwaseun"),
    ("en", "Chidi Okeke built a GPT for our procedures.", "Chidi Okeke"),
    ("fr", "Kowalski (logistique) utilise Copilot pour ses plannings.", "Kowalski"),
    ("en", "raj from procurement says we can't buy licences.", "raj"),
    ("en", "honestly priya sharma deserves a promotion", "priya sharma"),
    ("fr", "Cordialement, Élodie", "Élodie"),
    ("fr", "J'ai bossé tout le week-end chez Karim pour finir le rapport.", "Karim"),
    ("fr", "mehdi m'a dit que le pilote était arrêté", "mehdi"),
    ("fr", "claire m'a dit que c'était interdit", "claire"),
    ("en", "I'd like to thank Jean-Marc and the ops crew.", "Jean-Marc"),
    ("en", "Grace and Will from support are burnt out.", "Grace"),
    ("en", "Grace and Will from support are burnt out.", "Will"),
    ("en", "My name is Emily Clarke and I am exhausted.", "Emily Clarke"),
    ("en", "Jack, our team lead, says 'just use AI'. Jack, AI can't fix the rota", "Jack"),
    ("fr", "Victoire, la stagiaire, va plus vite que nous tous avec ChatGPT.", "Victoire"),
]


@pytest.mark.parametrize(("lang", "text", "name"), NAMES)
def test_person_names_are_replaced(lang, text, name):
    output = scrubbed(text, lang)
    assert name not in output
    assert "[NAME]" in output


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "fr",
            "Comme je l'ai dit à Sophie Martin la semaine dernière.",
            "Comme je l'ai dit à [NAME] la semaine dernière.",
        ),
        (
            "en",
            "Our director Michael Brown announced a hiring freeze.",
            "Our director [NAME] announced a hiring freeze.",
        ),
        ("fr", "J'ai une collègue, Anne de Villiers, qui a été mise au placard.", "J'ai une collègue, [NAME], qui"),
        ("fr", "Rappelez M. Girard au 07 62 11 45 98.", "Rappelez M. [NAME] au [PHONE]."),
        ("en", "Ask Sophie M. about it.", "Ask [NAME] about it."),
    ],
)
def test_a_surname_goes_with_its_first_name(lang, text, expected):
    assert scrubbed(text, lang).startswith(expected)


CLEAN = [
    # AI products, tools, acronyms
    ("fr", "Claude est meilleur que ChatGPT pour le code, Le Chat de Mistral aussi."),
    ("fr", "Mistral et Gemini sont interdits, seul Copilot est autorisé."),
    ("fr", "DeepL est indispensable pour les traductions, Notion pour les notes."),
    ("fr", "On utilise Jira, Excel et SAP, l'IA n'arrive pas à s'y brancher."),
    ("en", "Claude is better than Copilot for code reviews, Perplexity for research."),
    ("en", "We tested GPT-4o and Claude 3.5 Sonnet for writing job ads."),
    ("fr", "Les RH, la DSI et le CSE n'ont rien dit sur le RGPD, mon N+1 non plus."),
    ("en", "HR and IT never explained the GDPR rules, our KPI went up anyway."),
    ("fr", "On bosse avec Salesforce Einstein et des microservices Kotlin."),
    ("en", "Ce serait utile que l'outil sache lire les plannings MS Project."),
    # sentence-initial capitals, cities and sites, dates, times, amounts, versions, tickets
    ("fr", "Le site de Nantes et celui de Lyon n'ont pas les mêmes outils."),
    ("en", "Virginia site, Texas site, Ohio site: three different AI rules."),
    ("fr", "Réunion le 12/03/2024 à 14h30, budget de 1 500 000 €, 30 % de plus."),
    ("fr", "Depuis la version 2.3.14 de l'outil, le ticket INC-4521 est toujours ouvert."),
    ("en", "The meeting on 12/03/2024 at 2:30pm changed nothing; the pilot costs $30 per user."),
    ("en", "Since March our targets have doubled, SOC 2 and ISO 27001 are fine."),
    ("en", "Accuracy on German invoices is poor."),
    ("fr", "Numéro de ticket : 2024-004512, dossier RH-2023-0456, matricule 458712."),
    ("fr", "Le 06/12/2024 de 14:00 à 16:30, salle 204, 12 000 € de budget, +15 % de charge."),
    ("fr", "Depuis la v3.2.1, build 20240612, on a 3 incidents P1, on est passé de 35h à 39h."),
    ("fr", "Je m'en sers pour trier ma boîte mail. On nous a dit que c'était autorisé."),
    # ordinary words that happen to be names
    ("fr", "On a posé la première pierre du projet IA en janvier."),
    ("fr", "La consigne de la DSI est claire et nette."),
    ("fr", "Un olivier, un noyer, un chêne : le campus est beau, pas de salle calme."),
    ("fr", "Grâce à l'atelier on a monté notre propre bibliothèque de prompts."),
    ("fr", "Victoire à la Pyrrhus : on gagne du temps et on nous rajoute du travail."),
    ("en", "I hope the training will help. Will you join the next session?"),
    ("en", "Mark the tasks as done in Jira before Friday."),
    ("en", "Hope is not a strategy, but that's all we have."),
    ("en", "She handled the layoffs with grace, but the rest of management did not."),
    ("en", "My lead will review the prompts next week."),
    ("en", "The Olive Garden team lunch was nicer than the AI townhall."),
    ("en", "Bill it to the project code, they said."),
    ("en", "Frank feedback is needed. Max 3 prompts a day on the free plan? Grant access to everyone."),
    ("en", "Joy is gone from this job since the AI targets. Faith in leadership is at an all-time low."),
    ("en", "Will is not the problem, time is. May brings the new targets."),
    ("fr", "Patience, on nous dit. Prudence est mère de sûreté. Constance dans l'effort, zéro reconnaissance."),
    ("en", "The Art of Prompting course was useless, we pay for the Max plan and still hit limits."),
    ("fr", "Apple, Google et Amazon recrutent nos meilleurs profils."),
    # rooms, projects and public figures
    ("fr", "Salle Jean Monnet, 9h, réunion sur l'IA : personne n'est venu."),
    ("en", "Project Phoenix was launched without asking Human Resources."),
    ("fr", "Sam Altman promet monts et merveilles, chez nous c'est la galère."),
]


@pytest.mark.parametrize(("lang", "text"), CLEAN)
def test_clean_text_is_left_untouched(lang, text):
    result = scrub(text, lang)
    assert result.text == text
    assert not result.changed


def test_result_parts_mark_the_placeholders():
    result = scrub("Ping @karim.benali ou appelle Sophie Martin au 06 12 34 56 78.", "fr")
    assert isinstance(result, Scrubbed)
    assert result.text == "Ping [HANDLE] ou appelle [NAME] au [PHONE]."
    assert result.kinds == {"HANDLE", "NAME", "PHONE"}
    assert result.changed
    assert [kind for _, kind in result.parts if kind] == ["HANDLE", "NAME", "PHONE"]
    assert "".join(segment for segment, _ in result.parts) == result.text


def test_language_is_guessed_when_not_given():
    assert (
        scrubbed("I talked to Will about the rollout yesterday.") == "I talked to [NAME] about the rollout yesterday."
    )
    assert scrubbed("J'en ai parlé à karim hier, rien n'a bougé.") == "J'en ai parlé à [NAME] hier, rien n'a bougé."


def test_collection_reaches_the_scrubber_through_the_setting():
    from survey.services.scrub import scrub as collection_scrub

    assert collection_scrub("Appelle Sophie Martin", "fr").text == "Appelle [NAME]"


def test_empty_and_blank_comments():
    assert scrub("", "fr").text == ""
    assert scrub("   ", "en").text == ""
    assert not scrub("   ", "en").changed


def test_placeholders_are_never_scrubbed_again():
    text = "Mon manager [NAME] m'a donné le [PHONE] de [NAME] et son [EMAIL], voir [URL] ou [HANDLE]."
    assert scrubbed(text, "fr") == text


def test_scrubbing_is_idempotent_on_every_labelled_comment():
    checked = 0
    for row in rows("pii_dev.jsonl") + rows("pii_eval.jsonl"):
        once = scrubbed(row["text"], row["lang"])
        assert scrubbed(once, row["lang"]) == once, row["text"]
        checked += 1
    assert checked > 500


def test_no_network_while_loading_or_scrubbing(monkeypatch):
    """Everything is built again with every socket refused: Presidio's e-mail check goes through
    tldextract, which fetches the public-suffix list unless told not to."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for cached in (engine.analyzer, engine._nlp_engine, engine._french_ner, patterns.offline_tld_extractor):
        cached.cache_clear()
    warm()
    output = scrubbed("Écrivez à karim.benali@acme.fr ou www.acme.fr, Nguyen m'a dit de voir Aïssatou.", "fr")
    assert output == "Écrivez à [EMAIL] ou [URL], [NAME] m'a dit de voir [NAME]."
    assert patterns.offline_tld_extractor()("karim.benali@acme.co.uk").suffix == "co.uk"


def test_word_lists_come_from_the_packages():
    names, common = lexicon.first_names(), lexicon.common_words("fr")
    assert len(names) > 40_000 and len(common) > 100_000
    assert "karim" in names and "karim" not in common
    assert {"pierre", "rose", "claire", "will", "hope", "mark"} <= common & set(names)


def _quality(name: str) -> tuple[float, float]:
    found = total = untouched = clean = 0
    for row in rows(name):
        output = scrubbed(row["text"], row["lang"])
        for item in row["pii"]:
            found += item["text"] not in output
            total += 1
        if not row["pii"]:
            untouched += output == row["text"]
            clean += 1
    assert total > 100 and clean > 100
    return found / total, untouched / clean


@pytest.mark.parametrize("name", ["pii_dev.jsonl", "pii_eval.jsonl"])
def test_quality_on_the_labelled_sets(name):
    """The issue's bars are 95 % recall and 75 % clean comments untouched; bench/scrub.py prints
    the detail per kind and language."""
    recall, untouched = _quality(name)
    assert recall >= 0.97
    assert untouched >= 0.95


def test_fast_enough_for_a_request():
    warm()
    texts = [row["text"] for row in rows("pii_dev.jsonl")]
    timings = []
    for text in texts:
        started = time.perf_counter()
        scrub(text)
        timings.append(time.perf_counter() - started)
    assert statistics.mean(timings) < 0.05  # measured: a few ms (bench/scrub.py)
