//! The public information pages of the portal (service 4): regulatory information, practical
//! information on crossing the border, the user guide, the FAQ and whom to contact. They are
//! plain server-rendered text, readable without JavaScript and without an account; each page's
//! text lives in its component. The practical information ends with the sites and posts of the
//! directory, each post with the goods it is approved for.

use crate::ui::components::article::ArticlePage;
use crate::ui::components::border_posts::BorderPosts;
use leptos::prelude::*;

/// The texts that frame the crossing of SPS goods, and the institutions' pages, by group: (what
/// it is, its official address). Kept apart from the page's prose so that they can be checked at
/// a glance; the numbers and titles are those of the Official Journals.
struct ReferenceTexts {
    controls: &'static [(&'static str, &'static str)],
    rules: &'static [(&'static str, &'static str)],
    customs: &'static [(&'static str, &'static str)],
    french: &'static [(&'static str, &'static str)],
    institutions: &'static [(&'static str, &'static str)],
}

const REFERENCE_TEXTS: ReferenceTexts = ReferenceTexts {
    controls: &[
        (
            "Règlement (UE) 2017/625 du 15 mars 2017 concernant les contrôles officiels (règlement sur les contrôles officiels) : postes de contrôle frontaliers, DSCE, contrôles documentaires, d'identité et physiques, mesures en cas de non-conformité",
            "https://eur-lex.europa.eu/eli/reg/2017/625/oj",
        ),
        (
            "Règlement d'exécution (UE) 2019/1715 du 30 septembre 2019 établissant les règles de fonctionnement du système de gestion de l'information sur les contrôles officiels et de ses composantes (règlement IMSOC), dont TRACES et le format du DSCE",
            "https://eur-lex.europa.eu/eli/reg_impl/2019/1715/oj",
        ),
        (
            "Règlement d'exécution (UE) 2019/1013 du 16 avril 2019 concernant la notification préalable de l'arrivée des envois, au moins un jour ouvrable avant l'arrivée",
            "https://eur-lex.europa.eu/eli/reg_impl/2019/1013/oj",
        ),
        (
            "Règlement d'exécution (UE) 2019/2130 du 25 novembre 2019 établissant les modalités des opérations à effectuer pendant et après les contrôles documentaires, les contrôles d'identité et les contrôles physiques",
            "https://eur-lex.europa.eu/eli/reg_impl/2019/2130/oj",
        ),
        (
            "Règlement délégué (UE) 2019/2126 du 10 octobre 2019 relatif aux contrôles officiels spécifiques de certaines catégories d'animaux et de biens, aux mesures à prendre après ces contrôles et aux catégories exemptées de contrôles aux postes de contrôle frontaliers",
            "https://eur-lex.europa.eu/eli/reg_del/2019/2126/oj",
        ),
        (
            "Règlement délégué (UE) 2019/1666 du 24 juin 2019 concernant les conditions de surveillance du transport et de l'arrivée des envois entre le poste de contrôle frontalier d'arrivée et l'établissement de destination",
            "https://eur-lex.europa.eu/eli/reg_del/2019/1666/oj",
        ),
        (
            "Règlement délégué (UE) 2019/2124 du 10 octobre 2019 relatif aux contrôles officiels des envois en transit, en transbordement et en poursuite du transport",
            "https://eur-lex.europa.eu/eli/reg_del/2019/2124/oj",
        ),
        (
            "Règlement d'exécution (UE) 2019/1793 du 22 octobre 2019 relatif au renforcement temporaire des contrôles officiels et aux mesures d'urgence régissant l'entrée dans l'Union de certains biens provenant de certains pays tiers",
            "https://eur-lex.europa.eu/eli/reg_impl/2019/1793/oj",
        ),
    ],
    rules: &[
        (
            "Règlement (CE) n° 178/2002 du 28 janvier 2002 établissant les principes généraux et les prescriptions générales de la législation alimentaire",
            "https://eur-lex.europa.eu/eli/reg/2002/178/oj",
        ),
        (
            "Règlement (UE) 2016/429 du 9 mars 2016 relatif aux maladies animales transmissibles (législation sur la santé animale)",
            "https://eur-lex.europa.eu/eli/reg/2016/429/oj",
        ),
        (
            "Règlement (UE) 2016/2031 du 26 octobre 2016 relatif aux mesures de protection contre les organismes nuisibles aux végétaux",
            "https://eur-lex.europa.eu/eli/reg/2016/2031/oj",
        ),
        (
            "Règlement d'exécution (UE) 2019/2072 du 28 novembre 2019 établissant des conditions uniformes pour la mise en œuvre du règlement (UE) 2016/2031 : organismes nuisibles réglementés et exigences à l'importation des végétaux",
            "https://eur-lex.europa.eu/eli/reg_impl/2019/2072/oj",
        ),
        (
            "Règlement (UE) 2018/848 du 30 mai 2018 relatif à la production biologique et à l'étiquetage des produits biologiques",
            "https://eur-lex.europa.eu/eli/reg/2018/848/oj",
        ),
        (
            "Règlement (UE) n° 1308/2013 du 17 décembre 2013 portant organisation commune des marchés des produits agricoles, dont les normes de commercialisation des fruits et légumes",
            "https://eur-lex.europa.eu/eli/reg/2013/1308/oj",
        ),
    ],
    customs: &[(
        "Règlement (UE) n° 952/2013 du 9 octobre 2013 établissant le code des douanes de l'Union",
        "https://eur-lex.europa.eu/eli/reg/2013/952/oj",
    )],
    french: &[
        (
            "Code rural et de la pêche maritime, livre II : alimentation, santé publique vétérinaire et protection des végétaux",
            "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000022197698",
        ),
        (
            "Code des douanes",
            "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006071570",
        ),
    ],
    institutions: &[
        (
            "Ministère de l'agriculture : le service d'inspection vétérinaire et phytosanitaire aux frontières (SIVEP) et les contrôles à l'importation",
            "https://agriculture.gouv.fr/importation-exportation-de-denrees-animales-et-vegetales",
        ),
        (
            "Ministère de l'agriculture : le contrôle vétérinaire et phytosanitaire des importations",
            "https://agriculture.gouv.fr/le-controle-veterinaire-et-phytosanitaire-des-importations",
        ),
        (
            "Douane : les contrôles sanitaires et de qualité des aliments à l'importation",
            "https://www.douane.gouv.fr/professionnels/commerce-international/controles-sanitaires-et-de-qualite-des-aliments/vous-importez",
        ),
        (
            "Commission européenne : TRACES, où sont établis les DSCE",
            "https://webgate.ec.europa.eu/tracesnt/",
        ),
    ],
};

/// One reference as an item of a list: its description, as the link to its official address.
fn reference(&(label, href): &(&'static str, &'static str)) -> impl IntoView {
    view! { <li><a href=href>{label}</a></li> }
}

#[component]
pub fn RegulatoryInformation() -> impl IntoView {
    view! {
        <ArticlePage title="Informations réglementaires">
            <p class="fr-text--lead">
                "Les animaux et les marchandises soumis aux contrôles sanitaires et phytosanitaires qui entrent dans l'Union européenne depuis un pays tiers doivent être présentés à un poste de contrôle frontalier. Ils ne peuvent être dédouanés qu'après une décision favorable rendue à l'issue des contrôles officiels."
            </p>

            <h2>"Le cadre européen des contrôles officiels"</h2>
            <p>
                "Les contrôles à l'entrée de l'Union sont organisés par le règlement (UE) 2017/625 relatif aux contrôles officiels, applicable dans tous les États membres. Des actes de la Commission européenne le complètent : listes des marchandises concernées, fréquences des contrôles, modèles de documents et de certificats."
            </p>
            <p>
                "Les conditions d'importation elles-mêmes (certificats exigés, pays et établissements autorisés, exigences sanitaires) relèvent d'autres textes, notamment la législation européenne sur la santé animale, la santé des végétaux et la sécurité des denrées alimentaires et des aliments pour animaux."
            </p>

            <h2>"Les postes de contrôle frontaliers"</h2>
            <p>
                "Les contrôles ont lieu dans un poste de contrôle frontalier (PCF), situé dans un port ou un aéroport. Chaque poste est désigné par l'État membre pour certaines catégories d'animaux et de marchandises seulement : animaux vivants, produits d'origine animale, végétaux et produits végétaux, denrées alimentaires et aliments pour animaux d'origine non animale, etc. La Commission européenne publie la liste des postes et des catégories pour lesquelles chacun est désigné."
            </p>
            <div class="fr-highlight">
                <p>
                    "Avant l'expédition, vérifiez que le poste du point d'entrée prévu est désigné pour la catégorie de votre marchandise : un envoi ne peut pas être contrôlé dans un poste qui ne l'est pas."
                </p>
            </div>

            <h2>"Le document sanitaire commun d'entrée (DSCE)"</h2>
            <p>
                "Chaque envoi est accompagné d'un DSCE, établi dans TRACES NT, le système d'information de la Commission européenne. L'opérateur responsable de l'envoi remplit la partie I avant l'arrivée de la marchandise : c'est la notification préalable, qui permet au poste de se préparer. Le poste y inscrit ensuite sa décision (partie II) et, le cas échéant, les suites données (partie III)."
            </p>
            <p>"Il existe quatre types de DSCE selon la marchandise :"</p>
            <ul>
                <li>"DSCE-A : animaux vivants ;"</li>
                <li>"DSCE-P : produits d'origine animale, produits germinaux et sous-produits animaux ;"</li>
                <li>"DSCE-PP : végétaux, produits végétaux et autres objets soumis à contrôle phytosanitaire ;"</li>
                <li>"DSCE-D : denrées alimentaires et aliments pour animaux d'origine non animale soumis à des contrôles renforcés."</li>
            </ul>

            <h2>"Les contrôles au poste"</h2>
            <p>"Les contrôles sanitaires et phytosanitaires comportent trois niveaux :"</p>
            <ul>
                <li>
                    <strong>"Contrôle documentaire"</strong>
                    " : examen du DSCE, des certificats officiels et des documents qui accompagnent l'envoi. Il est réalisé pour tous les envois."
                </li>
                <li>
                    <strong>"Contrôle d'identité"</strong>
                    " : vérification que la marchandise correspond aux documents (nature, marques, scellés, quantités)."
                </li>
                <li>
                    <strong>"Contrôle physique"</strong>
                    " : examen de la marchandise elle-même, avec, si nécessaire, des prélèvements pour analyse en laboratoire."
                </li>
            </ul>
            <p>
                "Les contrôles d'identité et physiques dépendent de la catégorie de marchandise et du niveau de risque. Ils sont systématiques pour les animaux vivants. Pour les autres marchandises, leur fréquence est fixée par la réglementation européenne et peut être renforcée ou allégée selon l'origine, la nature du produit et l'historique des envois. Dans l'attente d'un résultat d'analyse, l'envoi peut rester sous contrôle officiel."
            </p>

            <h2>"La décision sur le DSCE"</h2>
            <p>
                "À l'issue des contrôles, le poste de contrôle frontalier rend sa décision dans le DSCE. Lorsqu'elle est favorable, elle précise l'usage autorisé : mise sur le marché intérieur, transit, transbordement ou acheminement vers une destination sous contrôle, selon le cas. Lorsqu'elle est défavorable, elle indique la mesure à appliquer à l'envoi."
            </p>

            <h2>"Le dédouanement"</h2>
            <p>
                "L'opérateur, ou son représentant en douane, dépose la déclaration en douane, identifiée par son numéro MRN, en y mentionnant la référence du DSCE. La douane ne peut placer la marchandise sous un régime douanier qu'au vu d'un DSCE portant une décision favorable. Après ses propres contrôles éventuels, elle délivre la mainlevée, le « bon à enlever » (BAE) : la marchandise peut alors quitter le terminal."
            </p>

            <h2>"Les envois non conformes"</h2>
            <p>
                "Lorsqu'un envoi ne respecte pas les exigences applicables, l'entrée lui est refusée et il reste sous contrôle officiel. Le poste ordonne l'une des mesures prévues par la réglementation, notamment :"
            </p>
            <ul>
                <li>"la destruction de la marchandise ;"</li>
                <li>"sa réexpédition hors de l'Union européenne ;"</li>
                <li>"un traitement spécial permettant de la rendre conforme, ou, dans certains cas, son affectation à un autre usage."</li>
            </ul>
            <p>
                "Ces mesures sont exécutées à la charge de l'opérateur responsable de l'envoi, dans les délais fixés par le poste."
            </p>

            <h2>"Qui fait quoi"</h2>
            <ul>
                <li>
                    <strong>"L'opérateur"</strong>
                    " (importateur, représentant en douane, transitaire) : notification préalable dans TRACES NT, présentation des documents originaux, mise à disposition de la marchandise pour les contrôles, déclaration en douane."
                </li>
                <li>
                    <strong>"Le SIVEP (DGAL)"</strong>
                    ", service d'inspection vétérinaire et phytosanitaire aux frontières : contrôles vétérinaires et phytosanitaires des animaux vivants, des produits d'origine animale, des végétaux et produits végétaux et des aliments pour animaux au poste de contrôle frontalier, et décision sur le DSCE."
                </li>
                <li>
                    <strong>"La douane (DGDDI)"</strong>
                    " : traitement de la déclaration en douane, contrôles douaniers et délivrance du bon à enlever ; depuis 2023, à la place de la DGCCRF, contrôles sanitaires des denrées alimentaires d'origine non animale soumises à des contrôles renforcés, contrôle des normes de commercialisation des fruits et légumes et des produits biologiques, dans ses propres postes de contrôle frontaliers."
                </li>
                <li>
                    <strong>"France Sésame"</strong>
                    " : rassemble en un seul dossier les informations de ces différents acteurs pour suivre le passage de la frontière. Il ne remplace ni TRACES NT ni le système de dédouanement, où les formalités continuent d'être accomplies."
                </li>
            </ul>

            <div class="fr-callout">
                <h2 class="fr-callout__title">"Seuls les textes officiels font foi"</h2>
                <p class="fr-callout__text">
                    "Cette page présente les principes généraux des contrôles et ne se substitue pas à la réglementation. En cas de doute, reportez-vous aux textes publiés au Journal officiel de l'Union européenne et au Journal officiel de la République française, ou interrogez le poste de contrôle frontalier de votre site."
                </p>
            </div>

            <h2>"Les textes de référence"</h2>
            <p>
                "Les textes ci-dessous encadrent le passage des marchandises soumises aux contrôles sanitaires et phytosanitaires. Les liens mènent à leur version officielle, sur EUR-Lex pour le droit de l'Union et sur Légifrance pour le droit français ; consultez-y la version consolidée en vigueur, les actes d'exécution étant régulièrement modifiés."
            </p>
            <h3>"Les contrôles officiels à l'entrée de l'Union"</h3>
            <ul>
                {REFERENCE_TEXTS.controls.iter().map(reference).collect_view()}
            </ul>
            <h3>"Les règles sanitaires et phytosanitaires applicables aux marchandises"</h3>
            <ul>
                {REFERENCE_TEXTS.rules.iter().map(reference).collect_view()}
            </ul>
            <h3>"Le dédouanement"</h3>
            <ul>
                {REFERENCE_TEXTS.customs.iter().map(reference).collect_view()}
            </ul>
            <h3>"Le droit français"</h3>
            <ul>
                {REFERENCE_TEXTS.french.iter().map(reference).collect_view()}
            </ul>

            <h2>"Les institutions et leurs informations"</h2>
            <ul>
                {REFERENCE_TEXTS.institutions.iter().map(reference).collect_view()}
            </ul>
        </ArticlePage>
    }
}

#[component]
pub fn PracticalInformation() -> impl IntoView {
    view! {
        <ArticlePage title="Informations pratiques">
            <p class="fr-text--lead">
                "Un passage de frontière se prépare : plus les informations arrivent tôt, plus les contrôles s'organisent facilement et plus vite votre marchandise est libérée."
            </p>

            <h2>"Avant l'arrivée de l'envoi"</h2>
            <ol>
                <li>"Vérifiez que le poste de contrôle frontalier du point d'entrée est désigné pour la catégorie de votre marchandise (voir " <a href="#postes">"les postes et leurs agréments"</a> " en bas de cette page)."</li>
                <li>"Déposez la partie I du DSCE dans TRACES NT avant l'arrivée, de préférence un jour ouvré avant, et en tout cas dans les délais prévus par la réglementation."</li>
                <li>"Réunissez les originaux des certificats officiels (sanitaires, phytosanitaires) lorsqu'ils ne sont pas délivrés sous forme électronique dans TRACES NT, ainsi que les documents commerciaux et de transport."</li>
                <li>"Préparez votre déclaration en douane en y reportant la référence du DSCE."</li>
            </ol>

            <h2>"Si votre envoi est sélectionné pour un contrôle"</h2>
            <p>
                "Après le contrôle documentaire, le poste vous indique si un contrôle d'identité ou physique est nécessaire. Dans ce cas :"
            </p>
            <ul>
                <li>"prenez rendez-vous en ligne sur France Sésame, depuis la page du dossier : elle indique les contrôles sélectionnés et propose les créneaux libres du poste ; la convocation porte un code QR et un code court à présenter à l'arrivée ;"</li>
                <li>"faites positionner le conteneur ou le lot au poste pour l'heure du rendez-vous, en lien avec le terminal ou le magasin de fret ;"</li>
                <li>"si vous ne pouvez pas honorer le créneau, prévenez le poste au plus tôt pour qu'il puisse être attribué à un autre envoi."</li>
            </ul>

            <h2>"En attendant un résultat d'analyse"</h2>
            <p>
                "Lorsque des échantillons ont été prélevés, l'envoi peut rester sous contrôle officiel jusqu'au résultat du laboratoire. Le délai dépend de l'analyse demandée. Dans votre dossier, l'étape « Analyse de laboratoire » reste « En cours » jusqu'à la réception du résultat, puis la décision suit. Pour les marchandises périssables, voyez avec le poste et le terminal les conditions de stockage pendant l'attente ; les frais de stockage restent à votre charge."
            </p>

            <h2>"Après la décision"</h2>
            <p>
                "Une fois la décision favorable rendue sur le DSCE, la douane traite votre déclaration. Le bon à enlever (BAE) permet ensuite la sortie du terminal. Si la décision est défavorable, le poste vous indique la mesure à exécuter et son délai."
            </p>

            <h2>"Si la plateforme est indisponible : la procédure de secours"</h2>
            <p>
                "En cas de maintenance ou d'incident, un message vous en informe. Les formalités ne s'arrêtent pas pour autant :"
            </p>
            <ul>
                <li>"continuez à utiliser TRACES NT et le système de dédouanement, qui restent les références ;"</li>
                <li>"contactez directement le poste de contrôle frontalier et le bureau de douane de votre site pour connaître l'avancement de vos envois et organiser les contrôles."</li>
            </ul>
            <p>
                "Au retour du service, les dossiers sont mis à jour à partir des informations transmises par ces systèmes."
            </p>

            <BorderPosts />
        </ArticlePage>
    }
}

#[component]
pub fn UserGuide() -> impl IntoView {
    view! {
        <ArticlePage title="Guide d'utilisation">
            <p class="fr-text--lead">
                "France Sésame vous montre, pour chaque envoi, où en sont les formalités et les contrôles, et ce qui vient ensuite."
            </p>

            <h2>"Accéder au service"</h2>
            <p>
                "L'accès à vos dossiers nécessite un compte associé à une adresse électronique valide. À la première connexion, puis à chaque nouvelle version, vous acceptez les "
                <a href="/cgu">"conditions générales d'utilisation"</a>
                ". France Sésame s'utilise avec un navigateur récent, sur ordinateur, tablette ou téléphone ; les parcours essentiels fonctionnent aussi sans JavaScript."
            </p>

            <h2>"Suivre vos dossiers"</h2>
            <h3>"La liste des dossiers"</h3>
            <p>
                "La liste présente vos envois avec leurs marchandises, leur site, l'opérateur (pour les agents), l'étape en cours et le statut du dossier : « En cours », « Bloqué », « Non conforme » ou « Terminé ». Elle se met à jour en direct sans rien déplacer : un dossier qui change est marqué « Mis à jour » là où il est, les nouveaux dossiers attendent derrière le bouton « nouveaux dossiers — afficher », et le bouton « Suspendre les mises à jour en direct » fige la page le temps qu'il vous faut. Affinez-la avec les filtres, rangés derrière le bouton « Filtres et tri » (ceux qui sont actifs s'affichent en dessous ; un clic les retire) :"
            </p>
            <ul>
                <li><strong>"Site"</strong>" : le port ou l'aéroport d'entrée ;"</li>
                <li><strong>"Statut"</strong>" : l'état d'ensemble du dossier ;"</li>
                <li><strong>"Marchandises"</strong>" : la catégorie (animaux vivants, produits d'origine animale, végétaux, etc.) ;"</li>
                <li><strong>"Flux"</strong>" : importation ou transit."</li>
            </ul>
            <p>
                "Choisissez vos critères puis « Filtrer » ; « Réinitialiser » les efface. Les filtres figurent dans l'adresse de la page : vous pouvez l'enregistrer dans vos favoris ou la partager avec un collègue."
            </p>
            <p><a href="/dossiers">"Consulter la liste des dossiers"</a></p>

            <h3>"La page d'un dossier"</h3>
            <p>"Chaque dossier réunit :"</p>
            <ul>
                <li><strong>"Références"</strong>" : conteneur ou lettre de transport aérienne, connaissement, DSCE, déclaration en douane (MRN) ;"</li>
                <li><strong>"Envoi"</strong>" : marchandises, flux, site, poste de contrôle frontalier, opérateur ;"</li>
                <li><strong>"Parcours"</strong>" : les étapes du passage de la frontière, dans l'ordre ;"</li>
                <li><strong>"Historique"</strong>" : ce qui s'est passé pour cet envoi, daté, avec l'étape concernée et le système qui l'a transmis ;"</li>
                <li><strong>"Rendez-vous"</strong>" : les contrôles sélectionnés, les rendez-vous pris et ceux qui restent à prendre."</li>
            </ul>

            <h3>"Le parcours et l'état des étapes"</h3>
            <p>
                "Le parcours va du dépôt du DSCE à la sortie du terminal : arrivée et déchargement, contrôles documentaire, d'identité et physique, analyse de laboratoire, décision sur le DSCE, déclaration en douane et bon à enlever. Chaque étape indique, quand ils sont connus, ses dates, l'administration qui intervient et son résultat. Son état est toujours écrit en toutes lettres :"
            </p>
            <ul>
                <li><strong>"À venir"</strong>" : l'étape n'a pas encore commencé ;"</li>
                <li><strong>"En cours"</strong>" : l'étape est en train de se dérouler ;"</li>
                <li><strong>"Terminé"</strong>" : l'étape est achevée ;"</li>
                <li><strong>"Bloqué"</strong>" : l'étape ne peut pas avancer, le plus souvent parce qu'une action est attendue (document manquant, rendez-vous à prendre, marchandise retenue) ;"</li>
                <li><strong>"Non conforme"</strong>" : le contrôle ou la décision a conclu à une non-conformité ; les suites à donner apparaissent alors dans le parcours ;"</li>
                <li><strong>"Non requis"</strong>" : l'étape ne s'applique pas à cet envoi, par exemple lorsqu'il n'a pas été sélectionné pour un contrôle physique."</li>
            </ul>

            <h3>"L'historique"</h3>
            <p>
                "L'historique liste, dans l'ordre où ils sont survenus, les événements transmis par TRACES NT, le système de dédouanement et les systèmes portuaires et aéroportuaires, avec leur date, leur heure, l'étape qu'ils ont fait avancer et leur source. C'est la trace de ce qui a fait avancer le dossier. Les agents y lisent en plus le détail transmis par ces systèmes (résultats, mesures)."
            </p>

            <h2>"Rechercher un dossier par sa référence"</h2>
            <p>"Retrouvez un dossier à partir de l'une de ses références, dans le champ « Référence » de la liste :"</p>
            <ul>
                <li>"numéro de conteneur (norme ISO 6346), par exemple CSQU3054383 ;"</li>
                <li>"lettre de transport aérienne (LTA ou AWB), par exemple 020-12345675 ;"</li>
                <li>"connaissement (BL), tel qu'il figure sur le document du transporteur ;"</li>
                <li>"référence du DSCE, par exemple CHEDP.FR.2025.0001234 ;"</li>
                <li>"numéro MRN de la déclaration en douane (18 caractères)."</li>
            </ul>
            <p>
                "Saisissez-la comme vous l'avez sous les yeux : les espaces, les tirets et les minuscules sont acceptés ; « csqu 305438-3 » et « CSQU3054383 » désignent le même conteneur. Si la référence est erronée, un message vous dit précisément ce qui ne va pas : longueur, caractère non valide ou chiffre de contrôle."
            </p>

            <h2>"Prendre rendez-vous pour un contrôle"</h2>
            <p>
                "Quand un envoi est sélectionné pour un contrôle d'identité ou physique, la page du dossier le dit et propose « Prendre rendez-vous » : choisissez un créneau libre du poste. Vos rendez-vous, leurs convocations et l'abonnement à votre agenda sont dans « Mes rendez-vous ». À l'arrivée, présentez le code QR de la convocation, ou son code court si le code QR ne se lit pas."
            </p>

            <h2>"Documents, notifications et messagerie"</h2>
            <p>
                "La rubrique « Documents du dossier » de chaque dossier rassemble ses formalités : les documents reçus des systèmes de la douane, du SIVEP et de TRACES, ceux que vous joignez, le récapitulatif du dossier et les convocations, téléchargeables un par un ou en une seule archive. Vous êtes prévenu, dans l'application et par courriel selon vos préférences, dès qu'un envoi avance ou qu'une action est attendue de vous."
            </p>
            <p>
                "Pour une question sur un envoi, écrivez depuis la rubrique « Échanges » de son dossier, à la douane, au SIVEP, ou « je ne sais pas » si vous ignorez qui est compétent : vous pouvez y joindre des documents. Pour une question générale sur un site, utilisez « Messagerie » dans le menu. Les réponses et les demandes de compléments des agents arrivent dans la même messagerie, et vous en êtes notifié ; chaque échange est conservé et téléchargeable."
            </p>

            <h2>"Pour les agents"</h2>
            <ul>
                <li><strong>"Alertes"</strong>" : le « Bureau des alertes » rassemble les retards et les blocages détectés sur les envois de vos sites, au-delà des seuils fixés par les chefs de service ; prenez-les en charge et clôturez-les une fois traités ;"</li>
                <li><strong>"Rendez-vous"</strong>" : le « Planning des rendez-vous » présente les demandes à valider et les rendez-vous du poste ; le « Contrôle à l'arrivée » enregistre l'arrivée d'un envoi à partir du code QR ou du code court de sa convocation ;"</li>
                <li><strong>"Messagerie"</strong>" : les demandes des opérateurs arrivent dans la messagerie, où vous les attribuez, y répondez ou demandez des compléments ; chaque échange est tracé ;"</li>
                <li><strong>"Fiche d'identité opérateur"</strong>" : si vous y êtes habilité, « Opérateurs » donne une vue d'ensemble d'un opérateur économique : dossiers, rendez-vous, non-conformités, échanges, alertes ;"</li>
                <li><strong>"Habilitations"</strong>" : votre chef de service vous les accorde, par site et par administration, et les retire ; chaque consultation d'un dossier ou de données personnelles est inscrite au journal d'audit."</li>
            </ul>

            <h2>"Tableaux de bord et statistiques"</h2>
            <p>
                "Les superviseurs de la douane et de la DGAL, et les chefs de service pour leurs postes, suivent dans « Tableaux de bord » les volumes, les délais des étapes, les contrôles, les rendez-vous, les alertes et les échanges, par site, poste, marchandises et période. La DGITM reçoit les mêmes indicateurs en statistiques par site, mois et catégorie de marchandises, sans aucune donnée d'entreprise ni de personne : un chiffre qui permettrait de reconnaître un opérateur y est masqué."
            </p>

            <h2>"Votre espace personnel"</h2>
            <p>
                "« Mon espace » réunit votre profil, votre mot de passe, vos sessions ouvertes (auxquelles vous pouvez mettre fin), votre entreprise et vos collègues pour un administrateur d'entreprise, vos habilitations pour un agent, et les mandats de représentation entre entreprises. La rubrique "
                <a href=crate::ui::pages::legal::PERSONAL_DATA_SPACE>"« Mes données personnelles »"</a>
                " vous permet de télécharger une copie scellée de toutes vos données et dit comment faire corriger, effacer ou limiter le reste ; la page "
                <a href="/donnees-personnelles">"Données personnelles"</a>
                " explique vos droits."
            </p>

            <h2>"Si le service est indisponible"</h2>
            <p>
                "Les maintenances sont annoncées à l'avance par un bandeau sur chaque page et sur la page "
                <a href=crate::ui::pages::service::PATH>"« État du service »"</a>
                ", qui présente aussi la procédure de secours de chaque site. Pendant une indisponibilité, vos formalités se poursuivent dans TRACES NT et le système de dédouanement, auprès du poste de contrôle frontalier et du bureau de douane de votre site ; vos dossiers sont mis à jour au retour du service."
            </p>

            <h2>"Signaler un incident ou faire une suggestion"</h2>
            <p>
                "Un dysfonctionnement, une difficulté d'accès ou une idée d'amélioration : écrivez au service des incidents et suggestions, dont l'adresse figure sur la page "
                <a href="/contact">"Contact"</a>
                "."
            </p>
        </ArticlePage>
    }
}

#[component]
pub fn Faq() -> impl IntoView {
    view! {
        <ArticlePage title="Foire aux questions">
            <p class="fr-text--lead">
                "Les réponses aux questions les plus fréquentes des opérateurs et des agents."
            </p>

            <h2>"Accès au service"</h2>
            <details class="fr-mb-2w">
                <summary>"France Sésame est-il payant ?"</summary>
                <p>
                    "Non, l'utilisation de France Sésame est gratuite. Elle ne modifie pas les redevances liées aux contrôles officiels ni les frais de manutention, de stockage ou d'analyse, qui restent dus selon les règles habituelles."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Ai-je besoin d'un compte ?"</summary>
                <p>
                    "Oui. Les pages d'information sont publiques, mais le suivi de vos dossiers nécessite un compte associé à une adresse électronique valide. Avant toute utilisation, vous devez accepter les "
                    <a href="/cgu">"conditions générales d'utilisation"</a>
                    " en vigueur."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Puis-je utiliser France Sésame sur un téléphone ?"</summary>
                <p>
                    "Oui. Les pages s'adaptent aux écrans de téléphone et de tablette : vous pouvez consulter l'état d'un envoi depuis le quai ou la porte du terminal avec un navigateur récent."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Quel navigateur utiliser ?"</summary>
                <p>
                    "La version récente de l'un des principaux navigateurs : Firefox, Chrome, Edge ou Safari. Les parcours essentiels (consulter un dossier, prendre rendez-vous, écrire à l'administration, télécharger un document) fonctionnent aussi sans JavaScript ; avec JavaScript, les pages se mettent à jour en direct."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Pourquoi aucun bandeau ne me demande-t-il d'accepter des cookies ?"</summary>
                <p>
                    "Parce que France Sésame n'utilise que des cookies strictement nécessaires au service, à commencer par le cookie de session qui vous garde connecté. Aucun cookie de mesure d'audience, de publicité ou de suivi n'est déposé : votre consentement n'est donc pas requis."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Pourquoi mon accès par Tor est-il refusé ?"</summary>
                <p>
                    "France Sésame donne accès à des informations sur des contrôles officiels et sur des entreprises. Pour protéger ces données et pouvoir établir qui s'est connecté, l'accès par des réseaux d'anonymisation comme Tor n'est pas autorisé. Connectez-vous depuis une connexion internet ordinaire."
                </p>
            </details>

            <h2>"Suivi des dossiers"</h2>
            <details class="fr-mb-2w">
                <summary>"Pourquoi mon dossier est-il « Bloqué » ?"</summary>
                <p>
                    "Une étape du parcours ne peut pas avancer : un document original est attendu, un rendez-vous doit être pris pour un contrôle, un résultat d'analyse tarde ou la marchandise est retenue. Ouvrez le dossier : l'étape bloquée en indique la raison. Si l'action vous revient, accomplissez-la ; sinon, rapprochez-vous du poste de contrôle frontalier ou du bureau de douane concerné."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Que signifie « Non requis » ?"</summary>
                <p>
                    "L'étape ne s'applique pas à votre envoi : par exemple, il n'a pas été sélectionné pour un contrôle physique, ou aucune analyse n'a été demandée. Ce n'est ni une anomalie ni une étape en attente."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"D'où viennent les informations affichées ?"</summary>
                <p>
                    "Des systèmes où les formalités sont réellement accomplies : TRACES NT pour le DSCE et les contrôles sanitaires et phytosanitaires, le système de dédouanement de la douane pour la déclaration et le bon à enlever, et les systèmes des communautés portuaires et aéroportuaires pour l'arrivée et la sortie de la marchandise. France Sésame les rassemble en un seul dossier par envoi ; il ne les remplace pas."
                </p>
            </details>

            <h2>"Données, disponibilité et accessibilité"</h2>
            <details class="fr-mb-2w">
                <summary>"Combien de temps mes données sont-elles conservées ?"</summary>
                <p>
                    "Vos données personnelles sont conservées deux ans après votre dernière connexion : un courriel vous prévient trente jours avant, et vous connecter conserve votre compte. Les données de connexion sont conservées six mois. La page "
                    <a href="/donnees-personnelles">"Données personnelles"</a>
                    " dit tout du traitement de vos données."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Comment obtenir mes données, les faire corriger ou effacer ?"</summary>
                <p>
                    "Depuis votre espace personnel, rubrique "
                    <a href=crate::ui::pages::legal::PERSONAL_DATA_SPACE>"« Mes données personnelles »"</a>
                    " : vous y téléchargez toutes vos données, y corrigez votre nom et votre adresse, et y présentez toute autre demande (rectification, effacement, limitation, opposition), que le guichet des droits de la douane traite pour la douane comme pour la DGAL ; vous y suivez son échéance et sa réponse. L'effacement ne porte pas sur ce que la mission de contrôle impose de conserver, et la portabilité ne s'applique pas à ce traitement d'intérêt public."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Puis-je obtenir une copie des enregistrements qui me concernent, par exemple pour un litige ?"</summary>
                <p>
                    "Oui. La copie d'un dossier ou de vos propres données est accompagnée des éléments qui permettent à un tiers, sans accès à France Sésame, de vérifier qu'elle n'a pas été altérée ; elle peut servir de preuve. Un enregistrement en litige peut être conservé tant que dure le litige."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Que faire si la plateforme est indisponible ?"</summary>
                <p>
                    "Appliquez la procédure de secours de votre site, présentée sur la page "
                    <a href=crate::ui::pages::service::PATH>"« État du service »"</a>
                    " : continuez vos formalités dans TRACES NT et le système de dédouanement, et contactez directement le poste de contrôle frontalier et le bureau de douane de votre site. Les maintenances y sont annoncées à l'avance. Vos dossiers seront mis à jour au retour du service."
                </p>
            </details>
            <details class="fr-mb-2w">
                <summary>"Comment signaler un problème d'accessibilité ?"</summary>
                <p>
                    "Si vous ne parvenez pas à accéder à un contenu ou à un service, écrivez au service des incidents et suggestions (son adresse figure sur la page "
                    <a href="/contact">"Contact"</a>
                    ") ou signalez-le au poste de contrôle frontalier de votre site : une alternative accessible vous sera proposée. La page "
                    <a href="/accessibilite">"Accessibilité"</a>
                    " présente l'état de conformité du service et les voies de recours."
                </p>
            </details>
        </ArticlePage>
    }
}

#[component]
pub fn Contact() -> impl IntoView {
    let contact = use_context::<crate::branding::Publication>()
        .unwrap_or_default()
        .contact_email;
    view! {
        <ArticlePage title="Contact">
            <p class="fr-text--lead">
                "France Sésame suit vos formalités mais ne les instruit pas : selon votre question, adressez-vous au service compétent."
            </p>

            <h2>"Une question sur un envoi"</h2>
            <h3>"Contrôles sanitaires et phytosanitaires"</h3>
            <p>
                "Contactez le poste de contrôle frontalier (SIVEP) du site d'entrée. Son nom figure sur la page de chaque dossier, à la rubrique « Poste de contrôle frontalier ». Munissez-vous de la référence du DSCE et du numéro de conteneur ou de lettre de transport aérienne."
            </p>
            <h3>"Dédouanement"</h3>
            <p>
                "Contactez le bureau de douane où la déclaration a été déposée, en indiquant son numéro MRN."
            </p>

            <h2>"Écrire à l'administration par la messagerie"</h2>
            <p>
                "Une fois connecté, écrivez à la douane ou au SIVEP depuis la rubrique « Échanges » du dossier, ou depuis « Messagerie » pour une question générale sur un site : la réponse vous parvient dans la même messagerie, et chaque échange est conservé. Agents : les habilitations sont accordées et retirées par votre chef de service."
            </p>

            <h2>"Le service des incidents et suggestions"</h2>
            <p>
                "Un dysfonctionnement, un message d'erreur, une difficulté pour vous connecter ou pour accéder à un contenu, une idée pour améliorer France Sésame : écrivez à "
                {crate::ui::pages::legal::mail_link(contact)}
                ". Indiquez ce que vous faisiez, la page concernée, la date et l'heure, et, s'il s'agit d'un envoi, sa référence ; n'y joignez ni mot de passe ni document confidentiel."
            </p>

            <h2>"Vos données personnelles"</h2>
            <p>
                "Pour télécharger vos données, utilisez la rubrique "
                <a href=crate::ui::pages::legal::PERSONAL_DATA_SPACE>"« Mes données personnelles »"</a>
                " de votre espace personnel. La page "
                <a href="/donnees-personnelles">"Données personnelles"</a>
                " indique aussi comment écrire au bureau Comint 2 de la douane, point de contact unique pour vos données ; une demande de rectification, d'effacement, de limitation ou d'opposition se présente directement depuis « Mes données personnelles »."
            </p>

            <h2>"Accessibilité"</h2>
            <p>
                "Pour signaler un défaut d'accessibilité ou obtenir une alternative accessible, écrivez au service des incidents et suggestions ; la page "
                <a href="/accessibilite">"Accessibilité"</a>
                " présente l'état de conformité du service et les voies de recours."
            </p>

            <div class="fr-callout">
                <h2 class="fr-callout__title">"La plateforme est indisponible ?"</h2>
                <p class="fr-callout__text">
                    "Appliquez la procédure de secours : contactez directement le poste de contrôle frontalier et le bureau de douane de votre site. Vos formalités se poursuivent dans TRACES NT et dans le système de dédouanement."
                </p>
                <p class="fr-callout__text">
                    <a href=crate::ui::pages::service::PATH>"État du service et procédure de secours de chaque site"</a>
                </p>
            </div>
        </ArticlePage>
    }
}
