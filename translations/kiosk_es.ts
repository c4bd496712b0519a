<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>Advice</name>
    <message>
        <source>The picture is too dark. Please turn on more light.</source>
        <translation>La imagen está demasiado oscura. Por favor, encienda más luz.</translation>
    </message>
    <message>
        <source>There is bright light behind you. Please close the blind if you can.</source>
        <translation>Hay una luz intensa detrás de usted. Por favor, baje la persiana si puede.</translation>
    </message>
    <message>
        <source>We cannot see your face. Please sit in front of the camera.</source>
        <translation>No vemos su cara. Por favor, siéntese frente a la cámara.</translation>
    </message>
    <message>
        <source>We cannot hear you well. Please speak up or sit a little closer.</source>
        <translation>No le oímos bien. Por favor, hable más alto o acérquese un poco.</translation>
    </message>
    <message>
        <source>You are too loud for the microphone. Please speak more softly.</source>
        <translation>Su voz es demasiado fuerte para el micrófono. Por favor, hable más bajo.</translation>
    </message>
    <message>
        <source>Please move a little to your left.</source>
        <translation>Por favor, muévase un poco hacia su izquierda.</translation>
    </message>
    <message>
        <source>Please move a little to your right.</source>
        <translation>Por favor, muévase un poco hacia su derecha.</translation>
    </message>
    <message>
        <source>Please sit a little closer to the camera.</source>
        <translation>Por favor, siéntese un poco más cerca de la cámara.</translation>
    </message>
    <message>
        <source>The picture will be jerky. More light in the room may help.</source>
        <translation>La imagen se verá entrecortada. Más luz en la sala puede ayudar.</translation>
    </message>
</context>
<context>
    <name>AidButtons</name>
    <message>
        <source>Larger text</source>
        <translation>Texto más grande</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>Alto contraste</translation>
    </message>
</context>
<context>
    <name>CameraPreview</name>
    <message>
        <source>Your camera picture</source>
        <translation>La imagen de su cámara</translation>
    </message>
</context>
<context>
    <name>ConsentScreen</name>
    <message>
        <source>Do you agree to be recorded?</source>
        <translation>¿Está de acuerdo en que se le grabe?</translation>
    </message>
    <message>
        <source>No, I do not agree</source>
        <translation>No, no estoy de acuerdo</translation>
    </message>
    <message>
        <source>I agree</source>
        <translation>Estoy de acuerdo</translation>
    </message>
    <message>
        <source>Before we start, {name}</source>
        <translation>Antes de empezar, {name}</translation>
    </message>
    <message>
        <source>Before we start</source>
        <translation>Antes de empezar</translation>
    </message>
    <message>
        <source>The questions are not written in your language yet: this text and the questions are in {language}.</source>
        <translation>Las preguntas aún no están escritas en su idioma: este texto y las preguntas están en {language}.</translation>
    </message>
</context>
<context>
    <name>DeviceCheckScreen</name>
    <message>
        <source>Can you see and hear yourself?</source>
        <translation>¿Se ve y se oye bien?</translation>
    </message>
    <message>
        <source>Sit so that your face is in the middle of the picture. Then say a few words: the bar moves when we hear you.</source>
        <translation>Siéntese de modo que su cara quede en el centro de la imagen. Luego diga unas palabras: la barra se mueve cuando le oímos.</translation>
    </message>
    <message>
        <source>You look and sound good.</source>
        <translation>Se le ve y se le oye bien.</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Micrófono</translation>
    </message>
    <message>
        <source>I can see and hear myself</source>
        <translation>Me veo y me oigo bien</translation>
    </message>
    <message>
        <source>Starting the camera and the microphone…</source>
        <translation>Encendiendo la cámara y el micrófono…</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <source>Check the camera and microphone</source>
        <translation>Compruebe la cámara y el micrófono</translation>
    </message>
    <message>
        <source>Nothing you have answered is lost. Once it works again, you go back to the practice question.</source>
        <translation>No se ha perdido nada de lo que ha respondido. Cuando vuelva a funcionar, volverá a la pregunta de práctica.</translation>
    </message>
    <message>
        <source>Nothing you have answered is lost. Once it works again, you go back to question {number} of {count}.</source>
        <translation>No se ha perdido nada de lo que ha respondido. Cuando vuelva a funcionar, volverá a la pregunta {number} de {count}.</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <source>What is your name?</source>
        <translation>¿Cómo se llama?</translation>
    </message>
    <message>
        <source>Type your name as you gave it to us.</source>
        <translation>Escriba su nombre tal como nos lo dio.</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Or find your name:</source>
        <translation>O busque su nombre:</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <source>I am {name}</source>
        <translation>Soy {name}</translation>
    </message>
    <message>
        <source>Please enter a name.</source>
        <translation>Por favor, escriba un nombre.</translation>
    </message>
    <message>
        <source>Please check your name: one line, with letters and no special characters.</source>
        <translation>Por favor, revise su nombre: una sola línea, con letras y sin caracteres especiales.</translation>
    </message>
</context>
<context>
    <name>IdleWarning</name>
    <message>
        <source>Are you still there?</source>
        <translation>¿Sigue ahí?</translation>
    </message>
    <message>
        <source>This screen goes back to the start in</source>
        <translation>Esta pantalla volverá al inicio en</translation>
    </message>
    <message>
        <source>I&apos;m here</source>
        <translation>Estoy aquí</translation>
    </message>
    <message>
        <source>Touch the screen or press any key to carry on. Your answer is still being recorded.</source>
        <translation>Toque la pantalla o pulse cualquier tecla para continuar. Su respuesta se sigue grabando.</translation>
    </message>
    <message>
        <source>Touch the screen or press any key to carry on. Your answers so far are kept.</source>
        <translation>Toque la pantalla o pulse cualquier tecla para continuar. Sus respuestas hasta ahora se conservan.</translation>
    </message>
    <message>
        <source>Touch the screen or press any key to carry on.</source>
        <translation>Toque la pantalla o pulse cualquier tecla para continuar.</translation>
    </message>
    <message numerus="yes">
        <source>%n seconds</source>
        <translation>
            <numerusform>%n segundo</numerusform>
            <numerusform>%n segundos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <source>Microphone level</source>
        <translation>Nivel del micrófono</translation>
    </message>
</context>
<context>
    <name>Notice</name>
    <message>
        <source>The camera stopped while you were answering. Check that it is plugged in, then press Retry. If that does not help, please tell a member of staff.</source>
        <translation>La cámara dejó de funcionar mientras respondía. Compruebe que esté conectada y pulse Reintentar. Si eso no lo soluciona, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>The microphone stopped while you were answering. Check that it is plugged in, then press Retry. If that does not help, please tell a member of staff.</source>
        <translation>El micrófono dejó de funcionar mientras respondía. Compruebe que esté conectado y pulse Reintentar. Si eso no lo soluciona, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>We cannot switch on the camera. Check that it is plugged in, then press Retry. If that does not help, please tell a member of staff.</source>
        <translation>No podemos encender la cámara. Compruebe que esté conectada y pulse Reintentar. Si eso no lo soluciona, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>We cannot switch on the microphone. Check that it is plugged in, then press Retry. If that does not help, please tell a member of staff.</source>
        <translation>No podemos encender el micrófono. Compruebe que esté conectado y pulse Reintentar. Si eso no lo soluciona, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>We cannot switch on the camera or the microphone. Check that they are plugged in, then press Retry. If that does not help, please tell a member of staff.</source>
        <translation>No podemos encender la cámara o el micrófono. Compruebe que estén conectados y pulse Reintentar. Si eso no lo soluciona, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>We cannot see a camera. Check that it is plugged in and not covered, then press Retry. If it keeps happening, please tell a member of staff.</source>
        <translation>No encontramos ninguna cámara. Compruebe que esté conectada y que no esté tapada, y pulse Reintentar. Si vuelve a ocurrir, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>We cannot hear a microphone. Check that it is plugged in, then press Retry. If it keeps happening, please tell a member of staff.</source>
        <translation>No encontramos ningún micrófono. Compruebe que esté conectado y pulse Reintentar. Si vuelve a ocurrir, por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>This booth ran out of storage space. Your answers up to that moment are saved. Please tell a member of staff.</source>
        <translation>Esta cabina se ha quedado sin espacio de almacenamiento. Sus respuestas hasta ese momento están guardadas. Por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>The recording stopped because this booth was too slow. Your answers up to that moment are saved. Please tell a member of staff.</source>
        <translation>La grabación se detuvo porque esta cabina iba demasiado lenta. Sus respuestas hasta ese momento están guardadas. Por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>The recording stopped. Your answers up to that moment are saved. Please tell a member of staff.</source>
        <translation>La grabación se detuvo. Sus respuestas hasta ese momento están guardadas. Por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>This booth ran out of storage space. Your answers up to this moment are saved. Please tell a member of staff.</source>
        <translation>Esta cabina se ha quedado sin espacio de almacenamiento. Sus respuestas hasta este momento están guardadas. Por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>Something went wrong with this booth. Your answers so far are saved. Please tell a member of staff.</source>
        <translation>Algo ha fallado en esta cabina. Sus respuestas hasta ahora están guardadas. Por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>Your answers are kept on this booth, but they could not be saved completely yet. Please tell a member of staff.</source>
        <translation>Sus respuestas se conservan en esta cabina, pero todavía no se han podido guardar por completo. Por favor, avise a un miembro del personal.</translation>
    </message>
    <message>
        <source>Nothing was recorded.</source>
        <translation>No se ha grabado nada.</translation>
    </message>
</context>
<context>
    <name>OnScreenKeyboard</name>
    <message>
        <source>Space</source>
        <translation>Espacio</translation>
    </message>
    <message>
        <source>Delete the last letter</source>
        <translation>Borrar la última letra</translation>
    </message>
    <message>
        <source>Shift: the next letter the other case</source>
        <translation>Mayúsculas: cambia la siguiente letra entre mayúscula y minúscula</translation>
    </message>
    <message>
        <source>Accents</source>
        <translation>Acentos</translation>
    </message>
    <message>
        <source>Letters</source>
        <translation>Letras</translation>
    </message>
</context>
<context>
    <name>OutOfServiceScreen</name>
    <message>
        <source>This booth is not ready yet</source>
        <translation>Esta cabina aún no está lista</translation>
    </message>
    <message>
        <source>Please tell a member of staff.</source>
        <translation>Por favor, avise a un miembro del personal.</translation>
    </message>
</context>
<context>
    <name>PracticeScreen</name>
    <message>
        <source>Start the interview</source>
        <translation>Empezar la entrevista</translation>
    </message>
    <message>
        <source>That was the practice</source>
        <translation>Esa fue la práctica</translation>
    </message>
    <message numerus="yes">
        <source>Nothing of it was recorded. The interview has %n questions. Each answer is recorded once you start it.</source>
        <translation>
            <numerusform>No se ha grabado nada. La entrevista tiene %n pregunta. Cada respuesta se graba en cuanto usted la empieza.</numerusform>
            <numerusform>No se ha grabado nada. La entrevista tiene %n preguntas. Cada respuesta se graba en cuanto usted la empieza.</numerusform>
        </translation>
    </message>
    <message>
        <source>Practise again</source>
        <translation>Practicar otra vez</translation>
    </message>
    <message>
        <source>Ready for your interview?</source>
        <translation>¿Todo listo para su entrevista?</translation>
    </message>
    <message numerus="yes">
        <source>The interview has %n questions. For each one you first get time to think, then the recording starts. You can try a practice question first: it is not recorded.</source>
        <translation>
            <numerusform>La entrevista tiene %n pregunta. Primero tendrá tiempo para pensar y después empieza la grabación. Antes puede probar una pregunta de práctica: no se graba.</numerusform>
            <numerusform>La entrevista tiene %n preguntas. Para cada una, primero tendrá tiempo para pensar y después empieza la grabación. Antes puede probar una pregunta de práctica: no se graba.</numerusform>
        </translation>
    </message>
    <message>
        <source>Try a practice question</source>
        <translation>Probar una pregunta de práctica</translation>
    </message>
</context>
<context>
    <name>QuestionScreen</name>
    <message>
        <source>Microphone</source>
        <translation>Micrófono</translation>
    </message>
    <message>
        <source>Start answering now</source>
        <translation>Empezar a responder ya</translation>
    </message>
    <message>
        <source>Read again</source>
        <translation>Leer otra vez</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>He terminado</translation>
    </message>
    <message>
        <source>Keep this answer</source>
        <translation>Conservar esta respuesta</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Intentar de nuevo</translation>
    </message>
    <message>
        <source>Practice question: not recorded</source>
        <translation>Pregunta de práctica: no se graba</translation>
    </message>
    <message>
        <source>Question {number} of {count}</source>
        <translation>Pregunta {number} de {count}</translation>
    </message>
    <message>
        <source>You will have {time} to answer</source>
        <translation>Tendrá {time} para responder</translation>
    </message>
    <message numerus="yes">
        <source>%n tries left</source>
        <translation>
            <numerusform>queda %n intento</numerusform>
            <numerusform>quedan %n intentos</numerusform>
        </translation>
    </message>
    <message>
        <source>Take a moment to think. Your practice answer starts by itself when the time is up.</source>
        <translation>Tómese un momento para pensar. Su respuesta de práctica empezará sola cuando se acabe el tiempo.</translation>
    </message>
    <message>
        <source>Take a moment to think. The recording starts by itself when the time is up.</source>
        <translation>Tómese un momento para pensar. La grabación empezará sola cuando se acabe el tiempo.</translation>
    </message>
    <message>
        <source>Look at the camera and speak clearly. Press Done when you have finished.</source>
        <translation>Mire a la cámara y hable con claridad. Pulse «He terminado» cuando acabe.</translation>
    </message>
    <message>
        <source>Happy with your answer?</source>
        <translation>¿Está conforme con su respuesta?</translation>
    </message>
    <message numerus="yes">
        <source>You can try again %n more times. A new answer replaces this one.</source>
        <translation>
            <numerusform>Puede intentarlo %n vez más. Una respuesta nueva sustituye a esta.</numerusform>
            <numerusform>Puede intentarlo %n veces más. Una respuesta nueva sustituye a esta.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Try again (%n left)</source>
        <translation>
            <numerusform>Intentar de nuevo (queda %n)</numerusform>
            <numerusform>Intentar de nuevo (quedan %n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Your practice answer starts in {time}</source>
        <translation>Su respuesta de práctica empieza en {time}</translation>
    </message>
    <message>
        <source>Recording starts in {time}</source>
        <translation>La grabación empieza en {time}</translation>
    </message>
    <message>
        <source>● Recording  ·  {time} left</source>
        <translation>● Grabando  ·  quedan {time}</translation>
    </message>
    <message>
        <source>Practice  ·  {time} left</source>
        <translation>Práctica  ·  quedan {time}</translation>
    </message>
</context>
<context>
    <name>TakePlayer</name>
    <message>
        <source>Your answer, playing</source>
        <translation>Su respuesta, en reproducción</translation>
    </message>
</context>
<context>
    <name>TakeReview</name>
    <message>
        <source>Watch it</source>
        <translation>Verla</translation>
    </message>
    <message>
        <source>Stop watching</source>
        <translation>Dejar de verla</translation>
    </message>
    <message>
        <source>Watch it again</source>
        <translation>Verla otra vez</translation>
    </message>
    <message>
        <source>Getting it ready…</source>
        <translation>Preparándola…</translation>
    </message>
    <message>
        <source>It did not play: try again</source>
        <translation>No se pudo reproducir: inténtelo de nuevo</translation>
    </message>
    <message>
        <source>Watch your answer</source>
        <translation>Ver su respuesta</translation>
    </message>
</context>
<context>
    <name>ThankYouScreen</name>
    <message>
        <source>You can leave the booth now. This screen goes back to the start by itself.</source>
        <translation>Ya puede salir de la cabina. Esta pantalla volverá al inicio por sí sola.</translation>
    </message>
    <message>
        <source>Thank you, {name}</source>
        <translation>Gracias, {name}</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>Gracias</translation>
    </message>
    <message>
        <source>Saving your interview…</source>
        <translation>Guardando su entrevista…</translation>
    </message>
    <message>
        <source>Your interview is saved. The recruiters will be in touch.</source>
        <translation>Su entrevista está guardada. El equipo de selección se pondrá en contacto con usted.</translation>
    </message>
</context>
<context>
    <name>UnavailableScreen</name>
    <message>
        <source>Sorry, this booth cannot go on</source>
        <translation>Lo sentimos, esta cabina no puede continuar</translation>
    </message>
    <message>
        <source>Please tell a member of staff. Anything you already answered is kept.</source>
        <translation>Por favor, avise a un miembro del personal. Todo lo que ya ha respondido se conserva.</translation>
    </message>
    <message>
        <source>Back to the start</source>
        <translation>Volver al inicio</translation>
    </message>
</context>
<context>
    <name>WelcomeScreen</name>
    <message>
        <source>Welcome</source>
        <translation>Le damos la bienvenida</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Empezar</translation>
    </message>
    <message>
        <source>Touch anywhere or press any key to start.</source>
        <translation>Toque cualquier parte de la pantalla o pulse cualquier tecla para empezar.</translation>
    </message>
    <message numerus="yes">
        <source>This booth records a short video interview: %n questions, one at a time. You can see yourself, and practise first.</source>
        <translation>
            <numerusform>Esta cabina graba una breve entrevista en vídeo: %n pregunta. Podrá verse en la pantalla y practicar antes.</numerusform>
            <numerusform>Esta cabina graba una breve entrevista en vídeo: %n preguntas, una cada vez. Podrá verse en la pantalla y practicar antes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This booth records a short video interview: %n questions, one at a time. You can see yourself.</source>
        <translation>
            <numerusform>Esta cabina graba una breve entrevista en vídeo: %n pregunta. Podrá verse en la pantalla.</numerusform>
            <numerusform>Esta cabina graba una breve entrevista en vídeo: %n preguntas, una cada vez. Podrá verse en la pantalla.</numerusform>
        </translation>
    </message>
</context>
</TS>
