"""Fixed word lists of the corpus generator: invented people, generic institutions, places, archival forms.

Names are invented or generic (common surnames with made-up initials) so generated pages can never be
mistaken for the edition's content, and fixed (not drawn from the seed) so every seed shares the cast.
Institution names avoid commas, " and ", " to " and " - ": those are the header's own separators, and a
generated header must have exactly one right reading.
"""

from __future__ import annotations

from dataclasses import dataclass

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

_SURNAMES = (
    "Belov", "Volkov", "Gromov", "Denisov", "Yegorov", "Zhukov", "Zaitsev", "Kozlov", "Lebedev", "Morozov",
    "Novikov", "Orlov", "Pavlov", "Sokolov", "Tarasov", "Ustinov", "Fedorov", "Kharitonov", "Tsvetkov",
    "Chernov", "Sharov", "Shchukin", "Abramov", "Borisov", "Gusev", "Davydov", "Yermakov", "Zuev", "Ilyin",
    "Kiselev", "Lazarev", "Makarov", "Nikitin", "Osipov", "Polyakov", "Rodionov", "Semenov", "Titov",
    "Filippov", "Khokhlov", "Tsarev", "Chistyakov", "Shilov", "Yudin", "Anisimov", "Bogdanov", "Vinogradova",
    "Golubeva", "Dmitriev", "Yefimov", "Zverev", "Isaev", "Kuzmina", "Loginov", "Naumov", "Ovchinnikov",
    "Gorsky-Belov", "Rybakov", "Sukhanov", "Tikhonov",
)
_FIRST_NAMES = (
    "Anatoly", "Boris", "Vasily", "Grigory", "Dmitry", "Yevgeny", "Ivan", "Konstantin", "Leonid", "Mikhail",
    "Nikolai", "Pavel", "Roman", "Semyon", "Timofey", "Fyodor", "Yakov", "Arkady", "Viktor", "Gleb",
)
_FEMININE = ("Anna", "Vera", "Yelena", "Maria", "Nina", "Olga", "Sofia", "Zinaida")
_PATRONYMIC_INITIALS = "ABVGDEIKLMNOPRSTFY"
PSEUDONYMS = ("Arvid", "Grach", "Veter", "Kazbek", "Sever", "Tigran", "Lunin", "Oskar", "Marat", "Starik",
              "Yurka", "Pero", "Bars", "Ural", "Klen")


@dataclass(frozen=True)
class Person:
    """An invented correspondent: 'A. B. Surname' in headers, first name and pseudonym in signatures."""

    first: str
    patronymic: str  # initial letter only
    surname: str
    pseudonym: str

    @property
    def name(self) -> str:
        return f"{self.first[0]}. {self.patronymic}. {self.surname}"

    @property
    def initials(self) -> str:
        return f"{self.first[0]}. {self.surname[0]}."


def _people() -> tuple[Person, ...]:
    out = []
    for i, surname in enumerate(_SURNAMES):
        feminine = surname.endswith("a")
        first = _FEMININE[i % len(_FEMININE)] if feminine else _FIRST_NAMES[(i * 7) % len(_FIRST_NAMES)]
        patr = _PATRONYMIC_INITIALS[(i * 5) % len(_PATRONYMIC_INITIALS)]
        out.append(Person(first, patr, surname, PSEUDONYMS[(i * 3) % len(PSEUDONYMS)]))
    return tuple(out)


PEOPLE = _people()

# (name, first year, last year): a body appears only in years it could have written or been written to.
INSTITUTIONS = (
    ("Central Committee of the RSDLP(b)", 1912, 1918),
    ("Foreign Bureau of the Central Committee", 1912, 1917),
    ("Petersburg Committee of the RSDLP", 1912, 1917),
    ("editorial board of Pravda", 1912, 1927),
    ("Central Committee of the RCP(b)", 1918, 1925),
    ("Council of People's Commissars", 1918, 1927),
    ("Revolutionary Military Council of the Republic", 1918, 1923),
    ("People's Commissariat of Foreign Affairs", 1918, 1927),
    ("Politburo of the Central Committee of the RCP(b)", 1919, 1925),
    ("Organizing Bureau of the Central Committee", 1919, 1927),
    ("Executive Committee of the Communist International", 1919, 1927),
    ("Secretariat of the Central Committee", 1919, 1927),
    ("Central Control Commission", 1920, 1927),
    ("Caucasian Bureau of the Central Committee", 1920, 1922),
    ("Eastpart", 1920, 1927),
    ("Transcaucasian Regional Committee", 1922, 1927),
    ("Commission on Expulsions", 1923, 1925),
    ("Central Committee of the All-Union Communist Party of Bolsheviks", 1925, 1927),
)

PLACES = ("Moscow", "Petrograd", "Tiflis", "Kharkiv", "Berlin", "Baku", "Rostov", "Kyiv", "Sochi", "Nalchik",
          "Kislovodsk", "Tsaritsyn", "Vienna", "Genoa", "Tashkent", "Krakow", "Paris", "Geneva")

# (verbatim form as printed, normalized form as seed-expected.json writes it)
FORMS = (
    ("Autograph.", "autograph"),
    ("Autographs.", "autographs"),
    ("Handwritten text.", "handwritten"),
    ("Typewritten text.", "typewritten"),
    ("Certified typewritten copy.", "certified typewritten copy"),
    ("Uncertified typewritten copy.", "uncertified typewritten copy"),
    ("Handwritten text on a telegraph form.", "handwritten on a telegraph form"),
    ("Typewritten text. The signature is an autograph.", "typewritten, signature autograph"),
    ("Signatures are autographs.", "signatures autographs"),
)
FORM_WEIGHTS = (30, 4, 8, 20, 8, 5, 5, 15, 5)

JOURNALS = ("Historical Archive", "Questions of History", "Source", "News of the Central Committee of the CPSU",
            "Motherland", "Proletarian Revolution", "Red Archive")

BODIES = ("the Politburo", "the Organizing Bureau", "the Orgburo", "the STO", "the plenum of the Central Committee",
          "the Secretariat")
DECISIONS = ("approved the proposal to send {s} to work in the south",
             "agreed with {s}'s proposal on the supply of fuel to the region",
             "postponed the question of the regional budget until {s} arrived",
             "instructed {s} to check the work of the local apparatus",
             "rejected the request of {s} to be released from work",
             "decided to transfer the question of the commission to the plenum")
